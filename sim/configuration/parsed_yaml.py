"""Each YAML text of the configuration tree parsed once per process, not once per composition.

Hydra reads every file a composition uses — conf/'s groups and its own ``hydra/`` defaults, about
fifteen — through ``OmegaConf.load``, and parses it again every time. Parsing (PyYAML's
pure-Python scanner) is about a quarter of a composition (≈ 0.06 of 0.25 s), and some processes
compose many times: a sweep checks every job before launching it, the test suite composes
hundreds of times. :func:`keep_parsed_texts` makes ``OmegaConf.load`` remember the parse of each
text it reads a second time: the key is the whole text, so a changed file is parsed afresh, and
every later call gets a copy of the configuration omegaconf made of it (copying is about a quarter
of what parsing and building it cost), which its caller may change; a text omegaconf refuses
raises as before. A process that composes once — a run — keeps nothing and copies nothing.
"""

from __future__ import annotations

import copy
import io
import os
import pathlib

from omegaconf import OmegaConf

_PARSED: dict[str, object] = {}  # text → the configuration omegaconf made of it, kept unchanged
_SEEN: set[str] = set()  # texts read once: a process that composes once (a run) keeps nothing
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
        kept = _PARSED.get(text)
        if kept is not None:
            return copy.deepcopy(kept)  # the kept one is never handed out
        loaded = original(io.StringIO(text))  # a text it refuses raises, as before
        if text in _SEEN:  # read a second time: this process composes again and again
            _PARSED[text] = copy.deepcopy(loaded)
        _SEEN.add(text)
        return loaded

    load.keeps_parsed_texts = True
    load.original = original  # omegaconf's own, parsing every time
    OmegaConf.load = staticmethod(load)
