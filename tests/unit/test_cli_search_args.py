"""`qtreader search` takes "-word" as search syntax, not as an unknown option."""

from __future__ import annotations

import io

from ui_support import SAMPLE

from qtreader.cli import main


def _search(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["search", *args, "--library", str(SAMPLE), "--json"], out=out)
    return code, out.getvalue()


def test_a_leading_minus_word_excludes_instead_of_failing():
    import json

    code, text = _search("social", "-media")
    assert code == 0
    with_media = json.loads(_search("social")[1])["total"]
    without = json.loads(text)["total"]
    assert 0 < without < with_media
    code, text = _search("-media")
    assert code == 0 and json.loads(text)["total"] > 0


def test_unknown_long_options_are_still_errors(capsys):
    import pytest

    with pytest.raises(SystemExit) as exc:
        main(["search", "social", "--limt", "5"])
    assert exc.value.code == 2
    assert "--limt" in capsys.readouterr().err
