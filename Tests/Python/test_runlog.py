"""The run log through the kernel, as a notebook user meets it (docs/rigor.md).

Every `fit` and `evaluate` is recorded in `runs.sqlite` beside the notebook (here: a file named by `RIGOR_RUN_LOG`);
an interrupt marks the running entry `interrupted`; a `kill -9` of the kernel mid-fit leaves the finished runs whole
and only the running entry partial, which a new kernel's `runs()` shows as `incomplete`.
"""

import json
import os
import signal
import sqlite3
import time

import pytest
from jupyter_client import KernelManager

FIT_CELL = """
let data = Dataset.digits().split(train: 0.8, validation: 0.2, seed: 1)
let model = Sequential([Dense(64, 32, activation: .relu), Dense(32, 10)], seed: 3)
let history = model.fit(data.train, validation: data.validation, epochs: {epochs}, batchSize: 32, seed: 7,
                        progress: false)
print("trained", history.epochs)
"""


class Kernel:
    def __init__(self, kernel_name, log_path, cwd):
        self.manager = KernelManager(kernel_name=kernel_name)
        env = dict(os.environ, RIGOR_RUN_LOG=str(log_path))
        self.manager.start_kernel(env=env, cwd=str(cwd))
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)

    def run(self, code, timeout=300):
        """Runs a cell; returns (status, stdout, error name/value, the text/html outputs)."""
        msg_id = self.client.execute(code)
        stdout, outputs, error = [], [], None
        while True:
            msg = self.client.get_iopub_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                stdout.append(content["text"])
            elif kind in ("execute_result", "display_data"):
                outputs.append(content["data"])
            elif kind == "error":
                error = (content["ename"], content["evalue"])
            elif kind == "status" and content["execution_state"] == "idle":
                break
        reply = self.client.get_shell_msg(timeout=timeout)
        return reply["content"]["status"], "".join(stdout), error, outputs

    def start(self, code):
        return self.client.execute(code)

    def stop(self):
        self.client.stop_channels()
        if self.manager.is_alive():
            self.manager.shutdown_kernel(now=True)


@pytest.fixture
def log_path(tmp_path):
    return tmp_path / "runs.sqlite"


def rows(log_path):
    with sqlite3.connect(log_path) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM runs ORDER BY id")]


def epochs(log_path, run_id):
    with sqlite3.connect(log_path) as db:
        return [json.loads(text) for (text,) in db.execute(
            "SELECT metrics FROM run_epochs WHERE run_id = ? ORDER BY epoch", (run_id,))]


def test_fit_and_evaluate_are_recorded_with_what_they_were_given(kernel_name, log_path, tmp_path):
    kernel = Kernel(kernel_name, log_path, tmp_path)
    try:
        status, out, error, _ = kernel.run(FIT_CELL.format(epochs=3))
        assert status == "ok", error
        status, _, error, _ = kernel.run("print(model.evaluate(data.validation))")
        assert status == "ok", error
        status, out, error, outputs = kernel.run("runs()")
        assert status == "ok", error
        html = outputs[-1]["text/html"]
        assert "Runs in runs.sqlite (2)" in html
        assert "finished" in html and "In[1]" in html and "In[2]" in html
        status, out, error, _ = kernel.run(
            'let r = runs(kind: .fit)[0]\nprint(r.status, r.seed ?? -1, r.parameters["epochs"] ?? "-", r.metric("val_loss").count, r.cell)')
        assert status == "ok", error
        assert out.split() == ["finished", "7", "3", "3", "In[1]"]
    finally:
        kernel.stop()
    stored = rows(log_path)
    assert [row["kind"] for row in stored] == ["fit", "evaluate"]
    fit = stored[0]
    assert fit["status"] == "finished" and fit["seed"] == 7
    assert "model.fit(data.train" in fit["source"]
    data = json.loads(fit["data"])
    assert [entry["role"] for entry in data] == ["training", "validation"]
    assert all(len(entry["sha256"]) == 64 for entry in data)
    assert data[0]["rows"] + data[1]["rows"] == 1797
    # The evaluate saw the validation rows: the same fingerprint as the fit's validation data.
    assert json.loads(stored[1]["data"])[0]["sha256"] == data[1]["sha256"]
    assert [sorted(m["name"] for m in e) for e in epochs(log_path, fit["id"])] == [
        ["accuracy", "learning_rate", "loss", "val_accuracy", "val_loss"]] * 3


def test_an_interrupt_marks_the_run_interrupted_and_keeps_its_epochs(kernel_name, log_path, tmp_path):
    kernel = Kernel(kernel_name, log_path, tmp_path)
    try:
        msg_id = kernel.start(FIT_CELL.format(epochs=100000))
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if log_path.exists() and rows(log_path) and epochs(log_path, rows(log_path)[0]["id"]):
                    break
            except sqlite3.OperationalError:
                pass  # the kernel has created the file but not yet its tables
            time.sleep(0.2)
        kernel.manager.interrupt_kernel()
        reply = kernel.client.get_shell_msg(timeout=60)
        assert reply["parent_header"]["msg_id"] == msg_id and reply["content"]["status"] == "error"
        status, out, error, _ = kernel.run("let r = runs()[0]\nprint(r.status)")
        assert status == "ok", error
        assert out.strip() == "interrupted"
    finally:
        kernel.stop()
    run = rows(log_path)[0]
    assert run["status"] == "interrupted" and run["ended_at"] is not None
    assert len(epochs(log_path, run["id"])) >= 1


def test_kill_9_mid_fit_loses_only_the_running_entry(kernel_name, log_path, tmp_path):
    kernel = Kernel(kernel_name, log_path, tmp_path)
    try:
        status, _, error, _ = kernel.run(FIT_CELL.format(epochs=2))
        assert status == "ok", error
        kernel.start(FIT_CELL.format(epochs=100000))
        deadline = time.time() + 120
        while time.time() < deadline:
            stored = rows(log_path)
            if len(stored) == 2 and len(epochs(log_path, stored[1]["id"])) >= 2:
                break
            time.sleep(0.2)
        pid = kernel.manager.provisioner.pid
        os.kill(pid, signal.SIGKILL)
        kernel.manager.provisioner.process.wait(timeout=30)
    finally:
        kernel.client.stop_channels()
    stored = rows(log_path)
    assert [row["status"] for row in stored] == ["finished", "running"]
    with sqlite3.connect(log_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert len(epochs(log_path, stored[0]["id"])) == 2
    assert len(epochs(log_path, stored[1]["id"])) >= 2

    second = Kernel(kernel_name, log_path, tmp_path)
    try:
        status, out, error, outputs = second.run('for r in runs() { print(r.id, r.status, r.metric("loss").count >= 2) }')
        assert status == "ok", error
        lines = out.strip().splitlines()
        assert lines[0].split()[1:] == ["finished", "true"]
        assert lines[1].split()[1:] == ["incomplete", "true"]
        # The log goes on: a new fit after the crash is recorded after the incomplete one.
        status, _, error, _ = second.run(FIT_CELL.format(epochs=1))
        assert status == "ok", error
    finally:
        second.stop()
    assert [row["status"] for row in rows(log_path)] == ["finished", "running", "finished"]


def test_bad_run_log_paths_and_kinds_are_clear_errors(kernel_name, log_path, tmp_path):
    kernel = Kernel(kernel_name, log_path, tmp_path)
    try:
        status, _, error, _ = kernel.run('runLog(path: "/nonexistent-folder/runs.sqlite")')
        assert status == "error" and "does not exist" in error[1]
        status, _, error, _ = kernel.run("runs(kind: .fits)")
        assert status == "error" and "unknown kind '.fits'" in error[1], error
        status, _, error, _ = kernel.run("runLog(path: nil)\nruns()")
        assert status == "error" and "run log is off" in error[1]
    finally:
        kernel.stop()


SEARCH_CELL = """
let data = Dataset.digits().split(train: 0.8, validation: 0.2, seed: 1)
let study = Study("long-search", sampler: .random, seed: 5, storage: .memory)
study.optimize(trials: {trials}, progress: false) {{ trial in
    let rate = trial.float("learningRate", 0.0001, 0.01, log: true)
    let model = Sequential([Dense(64, 32, activation: .relu), Dense(32, 10)], seed: 3)
    let history = model.fit(data.train, validation: data.validation, epochs: {epochs}, batchSize: 32,
                            optimizer: .adam(learningRate: rate), callbacks: [PruningCallback(trial)], seed: 7,
                            progress: false)
    return history.validationLoss.last ?? 0
}}
print("searched", study.trials.count)
"""

STATUS_CELL = 'for r in runs() { print(r.id, r.kind, r.status, r.parent ?? 0, r.parameters["trial"] ?? "-") }'


def kill_mid_trial(kernel, has_started):
    """Starts a long search (one trial with a fit of 100,000 epochs) and kills the kernel once `has_started()`."""
    kernel.start(SEARCH_CELL.format(trials=1, epochs=100000))
    deadline = time.time() + 120
    while time.time() < deadline and not has_started():
        time.sleep(0.2)
    assert has_started(), "the trial's fit never recorded two epochs"
    os.kill(kernel.manager.provisioner.pid, signal.SIGKILL)
    kernel.manager.provisioner.process.wait(timeout=30)
    kernel.client.stop_channels()


def read_statuses(kernel_name, log, tmp_path):
    """What a new kernel's runs() says: (id, kind, status, parent, trial) per run."""
    reader = Kernel(kernel_name, log, tmp_path)
    try:
        status, out, error, _ = reader.run(STATUS_CELL)
        assert status == "ok", error
    finally:
        reader.stop()
    return [line.split() for line in out.strip().splitlines()]


def test_kill_9_mid_trial_marks_the_trial_and_its_fit_incomplete(kernel_name, log_path, tmp_path):
    kernel = Kernel(kernel_name, log_path, tmp_path)
    status, _, error, _ = kernel.run(SEARCH_CELL.format(trials=2, epochs=2))
    assert status == "ok", error

    def started():
        stored = rows(log_path)
        return len(stored) == 6 and len(epochs(log_path, stored[5]["id"])) >= 2

    kill_mid_trial(kernel, started)
    stored = rows(log_path)
    assert [(row["kind"], row["status"]) for row in stored] == [
        ("trial", "finished"), ("fit", "finished"), ("trial", "finished"), ("fit", "finished"),
        ("trial", "running"), ("fit", "running")]
    with sqlite3.connect(log_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # The finished trials are whole: each with its value per epoch and its drawn learning rate.
    for trial in (stored[0], stored[2]):
        assert len(epochs(log_path, trial["id"])) == 2 and "learningRate" in trial["parameters"]
    lines = read_statuses(kernel_name, log_path, tmp_path)
    ids = [int(line[0]) for line in lines]
    assert [line[1:3] for line in lines] == [
        ["trial", "finished"], ["fit", "finished"], ["trial", "finished"], ["fit", "finished"],
        ["trial", "incomplete"], ["fit", "incomplete"]]
    # Each fit names its trial; the killed trial keeps its number and the rate it drew before it died.
    assert [int(line[3]) for line in lines] == [0, ids[0], 0, ids[2], 0, ids[4]]
    assert [line[4] for line in lines[::2]] == ["0", "1", "0"]
    assert "learningRate" in stored[4]["parameters"]


def postgres_database():
    """A new database on the test PostgreSQL server (scripts/start-test-postgres.sh starts it when it does not answer,
    as for the Swift tests); a server that cannot be started fails the test."""
    import glob
    import subprocess
    import uuid
    port = os.environ.get("RIGOR_TEST_POSTGRES_PORT", "54329")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    subprocess.run(["bash", os.path.join(root, "scripts/start-test-postgres.sh")], check=True,
                   stdout=subprocess.DEVNULL)
    psql = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))[-1]
    name = "rigor_runlog_" + uuid.uuid4().hex
    subprocess.run([psql, "-h", "127.0.0.1", "-p", port, "-U", "rigor", "-d", "rigor_search", "-qc",
                    f"CREATE DATABASE {name}"], check=True)
    return f"postgresql://rigor@127.0.0.1:{port}/{name}", psql, port, name


def test_kill_9_mid_trial_in_postgresql_reads_incomplete_from_a_new_kernel(kernel_name, tmp_path):
    url, psql, port, name = postgres_database()
    import subprocess

    def query(sql, check=True):
        done = subprocess.run([psql, "-h", "127.0.0.1", "-p", port, "-U", "rigor", "-d", name, "-tAc", sql],
                              check=check, capture_output=True, text=True)
        return done.stdout.strip()

    kernel = Kernel(kernel_name, url, tmp_path)

    def started():
        # Before the kernel's first run the tables do not exist yet: the query fails, and nothing has started.
        count = query("SELECT COUNT(*) FROM rigor_run_epochs e JOIN rigor_runs r ON r.id = e.run_id "
                      "WHERE r.kind = 'fit'", check=False)
        return int(count or 0) >= 2

    kill_mid_trial(kernel, started)
    assert query("SELECT string_agg(kind || ':' || status, ',' ORDER BY id) FROM rigor_runs") == \
        "trial:running,fit:running"
    # The killed kernel's database session ends with its connection; a new kernel reads both entries as incomplete.
    deadline = time.time() + 60
    while time.time() < deadline and query(
            "SELECT COUNT(*) FROM rigor_runs r JOIN pg_stat_activity a ON a.pid = r.session_pid") != "0":
        time.sleep(0.2)
    lines = read_statuses(kernel_name, url, tmp_path)
    assert [line[1:3] for line in lines] == [["trial", "incomplete"], ["fit", "incomplete"]]
    assert int(lines[1][3]) == int(lines[0][0])
    subprocess.run([psql, "-h", "127.0.0.1", "-p", port, "-U", "rigor", "-d", "rigor_search", "-qc",
                    f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)
