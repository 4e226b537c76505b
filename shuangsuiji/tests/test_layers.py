"""Layers that hold (ARCHITECTURE.md "The flow"): every import under shuangsuiji/, at module level
or inside a function, runs downward only, and the pure engines import no Django. The source is
read with `ast`, so an import that only runs on some path counts as much as one at the top."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]  # shuangsuiji/

# ARCHITECTURE.md's diagram, bottom to top. An app may import its own modules and those of a
# lower layer; publicity and archive (the task dossier) are both the top: nothing imports them,
# not even each other.
LAYERS = {
    "core": 0,
    "directory": 1,
    "planning": 2,
    "draw": 3,
    "inspection": 4,
    "followup": 5,
    "reports": 6,
    "triggers": 6,  # above followup (a 转办交办 links a ledger entry); beside reports, neither imports the other
    # 风险预警 reads every workflow app (inspections, the ledger, triggers) and starts triggers
    "warning": 7,
    "publicity": 7,
    "archive": 7,
}
# demo builds demo data through every app's services: it may import anything, nothing imports it.
ANYTHING = {"demo"}
# The ninja root mounts each app's router and nothing else of theirs (core it may use).
ROOT_API = "shuangsuiji.api"

# Upward imports that stay, each with why: one reviewed list. None today; add a line only with a
# reason (a lower app offering a hook is the usual way out), and remove it when the import goes
# (the test fails on a line that no longer matches an import).
EXEMPT: set[tuple[str, str]] = set()


def _modules() -> dict[str, Path]:
    """Every module of the package except tests (they set up scenarios across apps) and
    migrations (generated)."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = rel.parts
        if "tests" in parts or "migrations" in parts or parts[-1] == "conftest":
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _imports(module: str, path: Path) -> set[str]:
    """The shuangsuiji modules `module` imports, relative imports resolved; `from package import
    name` counts as package.name where that is a module, else as the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if _is_module(sub) else target)
    return {m for m in found if m == "shuangsuiji" or m.startswith("shuangsuiji.")}


def _app(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 2:
        return None
    return parts[1] if parts[1] in LAYERS or parts[1] in ANYTHING or (PACKAGE / parts[1]).is_dir() else None


def _allowed(importer: str, imported: str) -> bool:
    a, b = _app(importer), _app(imported)
    if b is None:  # shuangsuiji itself, or a top-level module such as shuangsuiji.api
        return imported == "shuangsuiji" or importer == ROOT_API
    if a == b or a in ANYTHING:
        return True
    if b in ANYTHING:
        return False
    if a is None:
        return importer == ROOT_API and (b == "core" or imported.split(".")[2:3] == ["api"])
    return LAYERS[b] < LAYERS[a]


def _upward() -> set[tuple[str, str]]:
    modules = _modules()
    found = set()
    for module, path in modules.items():
        for imported in _imports(module, path):
            if not _allowed(module, imported):
                found.add((module, imported))
    return found


def test_every_app_has_a_layer():
    """A new app gets its place in ARCHITECTURE.md's order before it can import or be imported."""
    apps = {p.name for p in PACKAGE.iterdir() if (p / "apps.py").exists()}
    assert apps - set(LAYERS) - ANYTHING == set()


def test_imports_run_downward_only():
    upward = _upward()
    assert sorted(upward - EXEMPT) == [], "imports against ARCHITECTURE.md's layers"
    assert sorted(EXEMPT - upward) == [], "exemptions that no longer match an import: remove them"


def test_core_names_no_app():
    """core runs the apps' background jobs from its registry (core/registry.py)."""
    core = {(a, b) for a, b in _upward() if _app(a) == "core"}
    assert core == set()
    assert not {(a, b) for a, b in EXEMPT if _app(a) == "core"}


def test_the_walk_sees_function_level_and_relative_imports(tmp_path):
    """The walker itself: an import inside a function and a relative one are both found."""
    source = tmp_path / "m.py"
    source.write_text(
        "def f():\n    from shuangsuiji.reports import rollup\n\nfrom ..followup import services\n",
        encoding="utf-8",
    )
    found = _imports("shuangsuiji.inspection.m", source)
    assert {"shuangsuiji.reports.rollup", "shuangsuiji.followup.services"} <= found
    assert not _allowed("shuangsuiji.inspection.services", "shuangsuiji.reports.rollup")
    assert not _allowed("shuangsuiji.publicity.views", "shuangsuiji.archive.dossier")
    assert not _allowed("shuangsuiji.core.tasks", "shuangsuiji.directory.jobs")
    assert not _allowed("shuangsuiji.reports.views", "shuangsuiji.demo.world")
    assert _allowed("shuangsuiji.archive.dossier", "shuangsuiji.followup.selectors")
    assert _allowed("shuangsuiji.demo.world", "shuangsuiji.publicity.services")
    assert _allowed("shuangsuiji.api", "shuangsuiji.draw.api")
    assert not _allowed("shuangsuiji.api", "shuangsuiji.draw.services")


# Modules documented as pure (ARCHITECTURE.md "Pure engines", and each module's docstring):
# importable and testable without Django.
PURE = [
    "shuangsuiji.core.identifiers",
    "shuangsuiji.core.calendar",
    "shuangsuiji.draw.engine",
    "shuangsuiji.draw.leaves",
    "shuangsuiji.planning.simulator",
    "shuangsuiji.directory.industrydata",
    "shuangsuiji.reports.estimate",
    "shuangsuiji.reports.charts",
]


def _third_party(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names.add((node.module or "").split(".")[0])
    return names


@pytest.mark.parametrize("module", PURE)
def test_pure_engines_import_no_django(module):
    path = _modules()[module]
    # in the source, at any depth: no Django, and of this package only pure modules (or the
    # empty package files on their way)
    assert not _third_party(path) & {"django", "ninja", "django_tasks"}, f"{module} imports Django"
    for name in _imports(module, path):
        package_file = PACKAGE.parent.joinpath(*name.split("."), "__init__.py")
        assert name in PURE or package_file.exists(), f"{module} imports {name}, which is not pure"
    # and at run time, in a fresh interpreter without settings: nothing pulls Django in
    probe = (
        f"import sys, {module}; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'ninja')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PACKAGE.parent)}
    run = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr


# ---- core runs the apps' jobs through its registry -------------------------------------------


def test_directory_registers_its_jobs_with_core():
    from django.urls import reverse

    from shuangsuiji.core import registry
    from shuangsuiji.directory import jobs

    kinds = registry.job_kinds()
    assert {k: (v.runner, v.label) for k, v in kinds.items() if v.runner.__module__ == jobs.__name__} == {
        "target_import": (jobs.target_import_run, "检查对象导入"),
        "inspector_import": (jobs.inspector_import_run, "执法检查人员导入"),
        "item_import": (jobs.item_import_run, "抽查事项导入"),
    }
    for kind in kinds.values():
        assert kind.retry_url == "" or reverse(kind.retry_url)


def test_a_kind_is_registered_once():
    from django.core.exceptions import ImproperlyConfigured

    from shuangsuiji.core import registry

    known = registry.job_kind("target_import")
    registry.register_job_kind(
        "target_import", label=known.label, runner=known.runner, retry_url=known.retry_url
    )  # the same registration again (ready() may run twice in tests) is harmless
    with pytest.raises(ImproperlyConfigured, match="target_import"):
        registry.register_job_kind("target_import", label="别的", runner=print)
    assert registry.job_kind("target_import") == known


def test_a_job_of_an_unregistered_kind_fails_with_a_reason(world):
    from shuangsuiji.core.models import Job, JobStatus
    from shuangsuiji.core.tasks import run_job

    job = Job.objects.create(kind="no_such_kind", title="无名作业", created_by=world.a_admin)
    with pytest.raises(LookupError):
        run_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "未注册的作业类型“no_such_kind”" in job.message


def test_job_pages_take_label_and_retry_page_from_the_registry(world, client_for):
    from django.urls import reverse

    from shuangsuiji.core.models import Job, JobStatus

    job = Job.objects.create(
        kind="target_import",
        title="检查对象导入：t.csv",
        status=JobStatus.FAILED,
        department=world.a_admin.department,
        created_by=world.a_admin,
    )
    client = client_for(world.a_admin)
    page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert f'href="{reverse("directory:target_import")}"' in page
    listing = client.get(reverse("core:job_list")).content.decode()
    assert "<td>检查对象导入</td>" in listing


# ---- lower apps reach higher ones only through the hooks they offer ----------------------


def test_the_rollup_and_the_ledger_are_registered_with_the_lower_apps():
    """What replaced the upward calls: reports listens to every feeder of its rollup, followup
    registers its ledger step with inspection's publication, inspection tells draw whether a
    result is published and planning the past problem rates, draw tells planning the merge
    candidates (apps.py of each)."""
    from shuangsuiji.directory.signals import targets_kind_changed
    from shuangsuiji.draw import hooks as draw_hooks
    from shuangsuiji.draw.selectors import merge_candidates
    from shuangsuiji.draw.signals import draw_settled
    from shuangsuiji.followup.services import ledger_sync
    from shuangsuiji.inspection import hooks
    from shuangsuiji.inspection.selectors import draw_has_published_result, problem_rates
    from shuangsuiji.inspection.signals import inspection_counts_changed
    from shuangsuiji.planning import hooks as planning_hooks
    from shuangsuiji.reports import rollup

    for signal, receiver in (
        (targets_kind_changed, rollup.on_targets_kind_changed),
        (draw_settled, rollup.on_draw_settled),
        (inspection_counts_changed, rollup.on_inspection_counts_changed),
    ):
        assert receiver in [entry[1]() for entry in signal.receivers], receiver.__name__
    assert hooks._on_publish == [ledger_sync]
    assert draw_hooks._result_published == [draw_has_published_result]
    assert planning_hooks._merge_candidates == [merge_candidates]
    assert planning_hooks._problem_rates == [problem_rates]
    from shuangsuiji.draw.preview import pool_preview

    assert planning_hooks._pool_preview == [pool_preview]
