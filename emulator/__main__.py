"""``python -m emulator``: the offline "try it" console (see :mod:`emulator.console`)."""

import asyncio
import contextlib

from emulator.console import main

with contextlib.suppress(KeyboardInterrupt):
    asyncio.run(main())
