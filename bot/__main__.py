"""``python -m bot``: run the bot (polling or webhook); a clear line and exit 1 on bad settings.

Operator commands (``health``, ``backup``, ``restore``, ``check``) live in ``ops/``;
``bot.maintenance`` dispatches them.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from telegram.error import InvalidToken

from bot.application import build_application, load_configuration
from bot.logging_setup import configure_logging, redact
from bot.maintenance import log_secrets, operate, run
from config.settings import SettingsError, load_settings
from domain.configfile import ConfigFileError
from ops.files import DataDirBusy, DataDirTaken, data_dir_lock
from storage.database import SchemaTooNew

EXIT_CODES = """\
exit codes:
  run      0 stopped by SIGTERM/SIGINT (the update in hand finished first);
           1 bad configuration, another bot runs on DATA_DIR, or the database was
           written by a newer version (migrations this bot does not know)
  health   0 healthy; 1 unhealthy
  backup   0 written; 1 failed (PostgreSQL: pg_dump or the connection)
  restore  0 restored; 1 refused (bot running, backup incomplete or damaged, or of a
           newer schema than this bot knows: nothing changed) or the result is damaged
  check    0 sound (orphan photos and temporary files newer than an hour are only
           listed); 1 damage (database, photo hash, photo missing) or officers whose
           NRPs read the same in look-alike digits (an admin decides); 2 warning: orphan
           photo files or half-written temporary files older than an hour, which
           `check --prune` deletes (then 0)
"""


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run."""
    # Owner-only for everything the process creates: the database and its -wal/-shm files,
    # photos, backups (they hold residents' personal data).
    os.umask(0o077)
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description=__doc__,
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "command",
        nargs="?",
        default="run",
        choices=["run", "check-config", "try", "health", "backup", "restore", "check"],
        help="run the bot (default), only validate the configuration, or try it offline;"
        " health: probe for Docker; backup [--to DIR]; restore BACKUP_DIR (stop the bot"
        " first); check [--prune]: database integrity, photo hashes, orphans",
    )
    parser.add_argument("backup_dir", nargs="?", type=Path, help="backup to restore (restore)")
    parser.add_argument("--to", type=Path, help="directory for the backup (backup)")
    parser.add_argument(
        "--prune",
        action="store_true",
        help="delete orphan photo files older than an hour (check)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path("./data-trial"),
        help="data directory of the offline trial (try only)",
    )
    args = parser.parse_args(argv)
    if args.command == "try":
        from bot.trial import main as trial  # local: only the trial loads the emulator

        trial(args.data_dir)
        return 0
    try:
        settings = load_settings()
        configure_logging(settings.log_level, log_secrets(settings))
        if args.command in ("health", "backup", "restore", "check"):
            return operate(
                args.command, settings, to=args.to, backup_dir=args.backup_dir, prune=args.prune
            )
        if args.command == "check-config":
            load_configuration(settings)
            print("configuration ok")
            return 0
        application = build_application(settings)
    except (SettingsError, ConfigFileError) as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 1
    try:
        # On PostgreSQL several instances share the data directory (the photo store).
        with data_dir_lock(settings.data_dir, shared=settings.postgres):
            run(application, settings)
    except DataDirBusy:
        print(f"error: another bot runs on {settings.data_dir}", file=sys.stderr)
        return 1
    except DataDirTaken as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except SchemaTooNew as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except InvalidToken:
        # PTB's message quotes the token; print our own line instead of the traceback.
        print("configuration error: TELEGRAM_BOT_TOKEN: rejected by the server", file=sys.stderr)
        return 1
    except Exception as error:
        # A start-up failure (the Bot API answering 500, a proxy echoing the path): one line,
        # the token and webhook secret redacted whatever their case or encoding.
        line = redact(f"{type(error).__name__}: {error}", log_secrets(settings))
        print(f"error: the bot stopped: {line}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
