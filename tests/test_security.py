"""Security: configuration cannot instantiate or import anything; the demo listens only on this
machine; many demo sessions at once stay apart and the server keeps answering."""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from demo_server import serving_demo

from sim.configuration.composition import InputError, compose_run
from sim.report.export import find_browser

SIM = Path(__file__).parents[1] / "sim"
SENTINEL = "orgsim_security_sentinel"


# ------------------------------------------------------------------ configuration is only data
def test_no_code_path_instantiates_or_imports_from_configuration():
    """Only the project's own modules are imported by name (design modules from the package
    listing of sim.designs, in sim/configuration/design_registry.py; sim's public names from a
    fixed table); nothing calls Hydra's instantiate, eval or an unsafe loader."""
    pattern = re.compile(r"instantiate\(|hydra\.utils|get_class\(|get_method\(|_locate\(|"
                         r"\beval\(|\bexec\(|yaml\.load\(|unsafe_load|pickle\.loads?\(|"
                         r"__import__|import_module\(")
    hits = [f"{p.relative_to(SIM)}:{n}: {line.strip()}"
            for p in sorted(SIM.rglob("*.py"))
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if pattern.search(line) and not line.lstrip().startswith("#")]
    assert hits == [  # sim's public names, each from a fixed module table (loaded on first use)
        '__init__.py:35: value = getattr(import_module(_WHERE[name]), "names" if name == '
        '"design_names" else name)',
        'configuration/design_registry.py:41: package = importlib.import_module(DESIGNS_PACKAGE)',
        'configuration/design_registry.py:44: '
        'importlib.import_module(f"{DESIGNS_PACKAGE}.{info.name}")']


TARGETS = ["+_target_=os.system", "+run._target_=os.system", "+market._target_=os.system",
           "+org._target_=os.system", "+market.jobs.care_pathway._target_=os.system",
           "+therapy.gates._target_=os.system", f"+{SENTINEL}._target_=os.system"]


@pytest.mark.parametrize("override", TARGETS)
def test_target_keys_on_the_command_line_are_rejected(override):
    with pytest.raises(InputError) as error:
        compose_run(["scenario=workshop", override])
    line = str(error.value)
    assert "_target_" in line or SENTINEL in line, line
    assert "\n" not in line


@pytest.mark.parametrize("body", [
    "_target_: os.system\n",
    "market:\n  _target_: os.system\n",
    "org:\n  _target_: builtins.exec\n",
    "market:\n  jobs:\n    care_pathway:\n      _target_: os.system\n",
    "run:\n  _target_: subprocess.run\n  _args_: [[touch, /tmp/orgsim_pwned]]\n",
])
def test_target_keys_in_a_scenario_file_are_rejected(tmp_path, body):
    (tmp_path / "scenario").mkdir()
    (tmp_path / "scenario" / "evil.yaml").write_text("# @package _global_\n" + body)
    with pytest.raises(InputError) as error:
        compose_run([f"hydra.searchpath=[file://{tmp_path}]", "scenario=evil"])
    line = str(error.value)
    assert ("_target_" in line or "_args_" in line) and ("not a setting" in line or
                                                         "unknown setting" in line), line
    assert not Path("/tmp/orgsim_pwned").exists()


# ----------------------------------------------------------------------------------- the demo
def _other_addresses() -> list[str]:
    """This machine's addresses other than loopback (the ones a colleague could reach)."""
    found = set()
    with contextlib.suppress(OSError):
        found.add(socket.gethostbyname(socket.gethostname()))
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        found.update(subprocess.run(["hostname", "-I"], capture_output=True, text=True,
                                    timeout=5).stdout.split())
    return sorted(a for a in found if not a.startswith("127.") and a not in ("::1", ""))


def _connects(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as s:
        s.settimeout(2)
        try:
            s.connect((host, port))
            return True
        except OSError:
            return False


@pytest.fixture(scope="module")
def demo():  # a server process: the tests using it are in the slow tier
    with serving_demo() as (port, url):
        yield port, url


@pytest.mark.slow
def test_demo_listens_on_127_0_0_1_only(demo):
    port, url = demo
    assert urllib.request.urlopen(url, timeout=10).status == 200
    others = _other_addresses()
    if not others:
        pytest.skip("this machine has no address other than loopback")
    reachable = [a for a in others if _connects(a, port)]
    assert reachable == [], f"the demo answers on {reachable} (port {port})"


@pytest.mark.slow
@pytest.mark.skipif(find_browser() is None, reason="no Chromium: apt-get install chromium")
def test_three_concurrent_sessions_stay_isolated_and_the_server_keeps_answering(demo):
    """Each session is its own run: stepping one never moves another. (How many sessions the
    server carries and how fast is a load figure, measured in benchmarks/demo_sessions_bench.py.)"""
    from playwright.sync_api import sync_playwright

    port, url = demo
    wanted = [0, 1, 2]  # session i steps i times: every session a different week
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_browser(), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--no-first-run"])
        pages = [browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
                 for _ in wanted]
        for page in pages:
            page.goto(url)
        for page in pages:  # generous: correctness, not speed, is tested here
            page.wait_for_selector("table.orgsim-score", timeout=600_000)

        def week(page) -> int:
            text = page.locator("table.orgsim-score").inner_text()
            return int(re.search(r"week (\d+)", text).group(1))

        def wait(page, target: int, timeout: float = 300) -> int:
            deadline = time.time() + timeout
            while time.time() < deadline and week(page) != target:
                time.sleep(0.1)
            return week(page)

        for step in range(1, len(wanted)):  # interleaved: the sessions are busy together
            stepping = [i for i in range(len(wanted)) if wanted[i] >= step]
            for i in stepping:
                pages[i].get_by_role("button", name="Step", exact=True).click()
            for i in stepping:
                assert wait(pages[i], step) == step, (i, step)
        assert [week(page) for page in pages] == wanted
        fresh = browser.new_context().new_page()  # the server still answers a new user
        fresh.goto(url)
        fresh.wait_for_selector("table.orgsim-score", timeout=600_000)
        assert week(fresh) == 0
        assert [week(page) for page in pages] == wanted  # and nobody's run moved
        browser.close()
    assert urllib.request.urlopen(url, timeout=30).status == 200
