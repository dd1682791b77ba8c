"""Every option of the user-facing command lines says what it does in `--help`, not only its default (issue 32)."""

from __future__ import annotations

import argparse
import importlib
import re

import pytest

from signcam.cli import build_app_parser
from signcam.predict import build_parser as build_predict_parser
from training.config import build_evaluate_parser
from training.config import build_parser as build_train_parser


class _Captured(Exception):
    def __init__(self, parser: argparse.ArgumentParser) -> None:
        self.parser = parser


def parser_of_main(module_name: str, monkeypatch: pytest.MonkeyPatch) -> argparse.ArgumentParser:
    """The parser a module's `main()` builds, caught as it parses (nothing of main's work runs)."""
    def capture(self: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        raise _Captured(self)

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", capture)
    with pytest.raises(_Captured) as caught:
        importlib.import_module(module_name).main([])
    return caught.value.parser


MAIN_MODULES = ["training.landmarks", "training.photos", "training.make_templates", "training.make_depth_contrasts",
                "training.motion_train", "training.make_read_hands", "training.make_references",
                "training.make_hand_model"]


def undocumented(parser: argparse.ArgumentParser) -> list[str]:
    """Options whose help is missing or says no more than the default: fewer than three words once
    "(default: ...)" is taken out."""
    bad = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        words = re.sub(r"\(default: [^)]*\)", "", action.help or "").split()
        if len(words) < 3:
            bad.append("/".join(action.option_strings) or action.dest)
    return bad


@pytest.mark.parametrize("build", [build_train_parser, build_evaluate_parser, build_app_parser, build_predict_parser],
                         ids=["signcam-train", "signcam-train evaluate", "signcam", "signcam predict"])
def test_every_option_of_the_commands_has_a_sentence(build) -> None:
    assert undocumented(build()) == []


@pytest.mark.parametrize("module_name", MAIN_MODULES)
def test_every_option_of_the_training_tools_has_a_sentence(module_name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert undocumented(parser_of_main(module_name, monkeypatch)) == []


def test_blocks_help_gives_its_format_and_default() -> None:
    parser = build_train_parser()
    blocks = next(a for a in parser._actions if "--blocks" in a.option_strings)
    assert blocks.metavar == "N,N,N"
    assert "comma-separated" in blocks.help and blocks.help.endswith("(default: 1,2,2)")


def test_the_check_catches_a_bare_default() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--extra-share", type=float, default=0.2, help="(default: 0.2)")
    parser.add_argument("--width", type=int, help="signnet channels of the first block")
    assert undocumented(parser) == ["--extra-share"]
