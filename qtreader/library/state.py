"""Small per-user state: the last library used, the theme, and each library's last session."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from . import paths
from .store import JsonFile, StoreReadOnly

STATE_VERSION = 1


@dataclass
class Session:
    """Where the reader was in one library."""

    subject: str | None = None  # subject key; None is "All articles"
    query: str = ""
    article: str | None = None  # article key
    list_index: int = 0
    focus: str = "list"  # "list", "view", "search" or "subjects"

    @classmethod
    def from_dict(cls, data: Any) -> Session:
        if not isinstance(data, dict):
            return cls()
        subject = data.get("subject")
        article = data.get("article")
        index = data.get("list_index")
        focus = data.get("focus")
        return cls(
            subject if isinstance(subject, str) else None,
            data["query"] if isinstance(data.get("query"), str) else "",
            article if isinstance(article, str) else None,
            index if isinstance(index, int) and index >= 0 else 0,
            focus if focus in ("list", "view", "search", "subjects") else "list",
        )


class StateStore:
    def __init__(self, path: Path | None = None):
        self.file = JsonFile(
            path or paths.state_file(), STATE_VERSION, lambda: {"version": STATE_VERSION}
        )

    def take_messages(self) -> list[str]:
        return self.file.take_messages()

    def _get(self, name: str) -> Any:
        try:
            return self.file.read().get(name)
        except OSError:
            return None

    def _set(self, name: str, value: Any) -> None:
        def change(data: dict[str, Any]) -> None:
            data[name] = value

        try:
            self.file.update(change)
        except (StoreReadOnly, OSError):
            pass  # state is a convenience; the messages say why it was not saved

    def last_library(self) -> str | None:
        value = self._get("last_library")
        return value if isinstance(value, str) else None

    def set_last_library(self, root: Path) -> None:
        self._set("last_library", str(root))

    def theme(self) -> str | None:
        value = self._get("theme")
        return value if isinstance(value, str) else None

    def set_theme(self, theme: str) -> None:
        self._set("theme", theme)

    def session(self, root: Path) -> Session:
        sessions = self._get("sessions")
        if not isinstance(sessions, dict):
            return Session()
        return Session.from_dict(sessions.get(str(root)))

    def save_session(self, root: Path, session: Session) -> None:
        def change(data: dict[str, Any]) -> None:
            sessions = data.get("sessions")
            if not isinstance(sessions, dict):
                sessions = {}
            sessions[str(root)] = asdict(session)
            data["sessions"] = sessions

        try:
            self.file.update(change)
        except (StoreReadOnly, OSError):
            pass
