"""Shared paths of the Python tests: the repository, the shared traces, the CLI binary."""

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
KTH_CUT = SHARED / "workloads" / "KTH-SP2-1996-2.1-cln.first3000.swf"
KTH_FULL = SHARED / "workloads" / "KTH-SP2-1996-2.1-cln.swf.gz"


def kth_scenario(trace=KTH_CUT, queue="fifo"):
    """The KTH SP2 trace as scenarios/kth-sp2.toml reads it (convention P, one pool of 100 cpus)."""
    return {
        "name": "kth",
        "workload": {"type": "swf", "path": str(trace), "convention": "p", "machine": "pool"},
        "policy": {"queue": queue},
        "metrics": {"bsld_tau": "10s"},
    }


@pytest.fixture
def kth_cut():
    if not KTH_CUT.exists():
        pytest.skip(f"no {KTH_CUT}")
    return KTH_CUT


@pytest.fixture
def cli():
    """The clustersim binary (CLUSTERSIM_BIN, else target/release/clustersim)."""
    path = Path(os.environ.get("CLUSTERSIM_BIN", REPO / "target" / "release" / "clustersim"))
    if not path.exists():
        pytest.skip(f"no CLI binary at {path}")
    return path
