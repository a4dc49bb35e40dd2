"""Cold start: the login screen shows at once while the services open in the background."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from counter_app.app import make_app
from counter_app.services.stores import open_store
from counter_app.settings import Settings
from screens.home import HomeScreen
from screens.login import LoginScreen


async def test_login_typed_before_the_store_is_open_goes_through(tmp_path: Path) -> None:
    app = make_app(Settings(data_dir=tmp_path, sync_interval_seconds=0))
    async with app.run_test(size=(120, 36)) as pilot:
        assert isinstance(app.screen, LoginScreen)
        await pilot.press(*"demo", "enter", *"demo1234", "enter")
        for _ in range(100):
            if isinstance(app.screen, HomeScreen):
                break
            await pilot.pause(0.05)
        assert isinstance(app.screen, HomeScreen)
        assert app.workstation_if_ready() is not None


async def test_a_store_that_cannot_open_is_shown_on_the_login_screen(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, sync_interval_seconds=0)
    open_store(settings, demo_clerk=True).close()
    key = settings.key_file
    key.write_bytes(bytes(len(key.read_bytes())))  # the wrong key: nothing may be overwritten or shown
    app = make_app(settings)
    async with app.run_test(size=(120, 36)) as pilot:
        error = app.screen.query_one("#login-error", Static)
        for _ in range(100):
            if "无法打开本地数据库" in str(error.render()):
                break
            await pilot.pause(0.05)
        assert "无法打开本地数据库" in str(error.render())
        await pilot.press(*"demo", "enter", *"demo1234", "enter")
        await pilot.pause(0.2)
        assert isinstance(app.screen, LoginScreen)
        assert "无法打开本地数据库" in str(error.render())  # still the reason, not "starting up"
        assert app.workstation_if_ready() is None


async def test_the_command_palette_finds_every_bound_action(tmp_path: Path) -> None:
    app = make_app(Settings(data_dir=tmp_path, sync_interval_seconds=0))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press(*"demo", "enter", *"demo1234", "enter")
        for _ in range(100):
            if isinstance(app.screen, HomeScreen):
                break
            await pilot.pause(0.05)
        screen = app.screen
        titles = {command.title for command in app.get_system_commands(screen)}
        described = {
            active.binding.description
            for active in screen.active_bindings.values()
            if active.binding.description and active.enabled
        }
        assert described and described <= titles
        assert {"新建案件", "查找案件", "同步", "帮助", "锁屏"} <= titles
        assert all(b.description for b in screen.BINDINGS if hasattr(b, "description"))


async def test_the_footer_and_the_palette_speak_chinese(tmp_path: Path) -> None:
    """Issue 13: "^p palette" and "Search for commands…" were English."""
    from app_driver import Driver, build_app
    from textual.command import CommandInput, CommandPalette

    app = build_app(tmp_path / "data")
    async with app.run_test(size=(120, 36)) as pilot:
        d = Driver(pilot)
        await d.login()
        footer_text = " ".join(str(w.render()) for w in app.screen.query("FooterKey"))
        assert "命令" in footer_text and "palette" not in footer_text
        await d.press("ctrl+p")
        await d.settle()
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one(CommandInput).placeholder.startswith("搜索命令")
