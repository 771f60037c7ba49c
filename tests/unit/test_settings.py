"""qtreader.library.settings: the TOML settings file; a bad file warns and gives defaults."""

from __future__ import annotations

import io

from qtreader.library import paths
from qtreader.library.settings import Settings, describe_config, load_settings


def write_config(text: str) -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_config_file_lives_under_xdg_config_home(isolated_user_dirs):
    assert paths.config_file() == isolated_user_dirs["XDG_CONFIG_HOME"] / "qtreader" / "config.toml"


def test_missing_file_gives_defaults_without_warnings():
    assert load_settings() == (Settings(), [])


def test_good_file_is_read():
    write_config(
        'library = "~/articles"\ntheme = "nord"\nbase_url = "https://example.org"\n'
        'show_stubs = true\ncolumn_width = 100\n[keys]\n"reader.search" = "ctrl+k"\n'
    )
    settings, warnings = load_settings()
    assert warnings == []
    assert settings == Settings(
        library="~/articles",
        theme="nord",
        base_url="https://example.org",
        show_stubs=True,
        column_width=100,
        keys={"reader.search": "ctrl+k"},
    )


def test_bad_toml_warns_once_and_gives_defaults():
    write_config("library = [unclosed\n")
    settings, warnings = load_settings()
    assert settings == Settings()
    assert len(warnings) == 1
    assert str(paths.config_file()) in warnings[0]
    assert "default settings" in warnings[0]


def test_invalid_utf8_warns_and_gives_defaults():
    path = paths.config_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(b'theme = "\xff\xfe"\n')
    settings, warnings = load_settings()
    assert settings == Settings()
    assert len(warnings) == 1


def test_wrong_types_warn_per_key():
    write_config(
        'library = 5\ntheme = true\nbase_url = ["x"]\nshow_stubs = "yes"\n'
        'column_width = true\nkeys = "not a table"\n'
    )
    settings, warnings = load_settings()
    assert settings == Settings()
    assert len(warnings) == 6
    for name in ("library", "theme", "base_url", "show_stubs", "column_width", "keys"):
        assert sum(f"'{name}'" in w for w in warnings) == 1, (name, warnings)
    assert all(w.startswith(str(paths.config_file())) for w in warnings)


def test_good_keys_survive_next_to_bad_ones():
    write_config('theme = 3\ncolumn_width = 120\n[keys]\ngood = "f5"\nbad = 7\nblank = " "\n')
    settings, warnings = load_settings()
    assert settings.column_width == 120
    assert settings.theme is None
    assert settings.keys == {"good": "f5"}
    assert len(warnings) == 3


def test_column_width_out_of_range():
    write_config("column_width = 10\n")
    settings, warnings = load_settings()
    assert settings.column_width == 88
    assert len(warnings) == 1 and "between 40 and 400" in warnings[0]


def test_describe_config_path_and_show():
    out = io.StringIO()
    assert describe_config("path", out) == 0
    assert out.getvalue() == f"{paths.config_file()}\n"
    out = io.StringIO()
    describe_config("show", out)
    assert "does not exist yet" in out.getvalue()
    assert "column_width" in out.getvalue()
    write_config('theme = "nord"\n')
    out = io.StringIO()
    describe_config("show", out)
    assert out.getvalue() == 'theme = "nord"\n'


def test_deeply_nested_toml_warns_and_gives_defaults():
    # tomllib recurses once per level: 5,000 levels raise RecursionError, not a TOML error.
    for text in ("a = " + "[" * 5000 + "]" * 5000, "a = " + "{b = " * 5000 + "1" + "}" * 5000):
        write_config(f'theme = "nord"\n{text}\n')
        settings, warnings = load_settings()
        assert settings == Settings()
        assert len(warnings) == 1
        assert "default settings" in warnings[0]


def test_following_links_out_of_the_library_is_off_unless_set():
    assert Settings().follow_external_links is False
    write_config("follow_external_links = true\n")
    assert load_settings() == (Settings(follow_external_links=True), [])
    write_config('follow_external_links = "yes"\n')
    settings, warnings = load_settings()
    assert settings.follow_external_links is False
    assert len(warnings) == 1 and "'follow_external_links'" in warnings[0]
    out = io.StringIO()
    paths.config_file().unlink()
    describe_config("show", out)
    assert "follow_external_links" in out.getvalue()


def test_the_lists_date_format_is_a_setting(isolated_user_dirs):
    from qtreader.library import paths
    from qtreader.library.settings import load_settings

    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('date_format = "DD/MM/YYYY"\n', encoding="utf-8")
    settings, warnings = load_settings()
    assert settings.date_format == "DD/MM/YYYY" and warnings == []
