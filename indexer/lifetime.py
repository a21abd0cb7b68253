"""Process lifetime: a helper process must not outlive the process that started it."""

from __future__ import annotations

import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1  # prctl option, <linux/prctl.h>


def die_with_parent(parent: int) -> None:
    """Linux: SIGKILL this process when `parent` dies (a killed build must not leave encoder workers
    or a build child running). Linux sends the signal when the *thread* that started this process
    exits, so start helpers from a thread that outlives them. Elsewhere nothing is done."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the helper finishes on its own
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
