"""Hub: one shared place for sales collateral, the marketing calendar and usage."""
import os
from pathlib import Path

from hub import config
from hub.transactions import Hub

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config=None):
    """Build the Flask app (one transaction per request: see hub.transactions): configuration,
    extensions, blueprints, errors, CLI."""
    app = Hub(
        __name__,
        instance_path=os.environ.get("HUB_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    config.load(app, test_config)
    if app.config["PROXY_FIX"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_extensions(app):
    """Bind the unbound extensions in hub.extensions to this app."""
    from hub import jobs, mail, security
    from hub.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    security.init_app(app)
    jobs.init_app(app)
    mail.init_app(app)


def register_blueprints(app):
    """Mount each feature's blueprint (after the URL converters their rules use)."""
    from hub import (
        admin,
        api,
        auth,
        calendar,  # marketing calendar
        library,
        routing,
        search,
        ui,
    )

    routing.init_app(app)
    ui.init_app(app)
    auth.init_app(app)
    app.register_blueprint(admin.bp)
    library.init_app(app)
    app.register_blueprint(search.bp)
    app.register_blueprint(api.bp)
    calendar.init_app(app)  # marketing calendar: blueprint, settings, public feed endpoint
    from hub import usage  # usage tracking, share links, requests, insights

    usage.init_app(app)
    from hub import whatsnew  # saved items, "New for you", notifications

    whatsnew.init_app(app)


def register_errorhandlers(app):
    """Answer every HTTP error as HTML or JSON to match the caller."""
    from hub import errors

    errors.init_app(app)


def register_commands(app):
    """Register each feature's CLI commands."""
    from hub.admin.backup import backup_command, restore_command
    from hub.auth.cli import create_token_command, create_user_command, delete_user_command, set_password_command
    from hub.demo.cli import seed_demo_command
    from hub.library.cli import check_files_command, expire_staged_command, render_previews_command
    from hub.search.cli import check_index_command, reindex_command

    app.cli.add_command(create_user_command)
    app.cli.add_command(create_token_command)
    app.cli.add_command(set_password_command)
    app.cli.add_command(delete_user_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(reindex_command)
    app.cli.add_command(check_index_command)
    app.cli.add_command(check_files_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(render_previews_command)
    app.cli.add_command(expire_staged_command)
