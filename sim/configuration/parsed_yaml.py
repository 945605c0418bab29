"""Each YAML text of the configuration tree parsed once per process, not once per composition.

Hydra reads every file a composition uses — conf/'s groups and its own ``hydra/`` defaults, about
fifteen — through ``OmegaConf.load``, and parses it again every time. Parsing (PyYAML's
pure-Python scanner) is about a quarter of a composition (≈ 0.06 of 0.25 s), and some processes
compose many times: a sweep checks every job before launching it, the test suite composes
hundreds of times. :func:`keep_parsed_texts` makes ``OmegaConf.load`` remember the parse of each
text it has read: the key is the whole text, so a changed file is parsed afresh, and every call
gets a copy of the configuration omegaconf made of it (copying is about a quarter of what parsing
and building it cost), which its caller may change; a text omegaconf refuses raises as before.
"""

from __future__ import annotations

import copy
import io
import os
import pathlib

from omegaconf import OmegaConf

_PARSED: dict[str, object] = {}  # text → the configuration omegaconf made of it, kept unchanged
# The files a composition reads are a few kB; a bigger one (a user's own config folder) is parsed
# each time, as before, rather than kept for the life of the process
KEPT_TEXT_CHARS = 64_000


def keep_parsed_texts() -> None:
    """Install the remembering ``OmegaConf.load`` (idempotent)."""
    if getattr(OmegaConf.load, "keeps_parsed_texts", False):
        return
    original = OmegaConf.load

    def load(file_):
        if isinstance(file_, (str, pathlib.Path)):
            with open(os.path.abspath(file_), encoding="utf-8") as f:
                text = f.read()
        elif getattr(file_, "read", None):
            text = file_.read()
        else:
            return original(file_)  # its own TypeError
        if len(text) > KEPT_TEXT_CHARS:
            return original(io.StringIO(text))
        if text not in _PARSED:
            _PARSED[text] = original(io.StringIO(text))  # a text it refuses raises, as before
        return copy.deepcopy(_PARSED[text])  # the kept one is never handed out

    load.keeps_parsed_texts = True
    load.original = original  # omegaconf's own, parsing every time
    OmegaConf.load = staticmethod(load)
