"""detrain_results on real runs made with bin/detrain (see support.RUNS)."""
import os
import re
import unittest
import warnings

import shutil

import h5py
import numpy as np
import pandas as pd

import detrain_results as dr
from detrain_results import schema

from support import REPO, python, results, run_dir, temp_dir
from test_files import assert_no_bytes


def setUpModule():
    results()  # makes the runs once, before the first test


class LoadRunTest(unittest.TestCase):
    def test_records_one_row_per_rank_and_record_with_the_file_values(self):
        run = dr.load_run(run_dir("seed1"))
        r = run.records
        self.assertEqual(4 * 3, len(r))  # records at 5, 10, 15, 20 on 3 ranks
        self.assertEqual(["iteration", "epoch", "wall_time", "rank", "train_loss", "grad_norm", "bytes_sent",
                          "messages_sent", "compute_time", "comm_wait_time", "training_time", "eval_time",
                          "record_time", "metrics_io_time", "checkpoint_time", "consensus_distance",
                          "optimum_distance"], r.columns.tolist())
        parts = r[["training_time", "eval_time", "record_time", "metrics_io_time", "checkpoint_time"]].sum(axis=1)
        np.testing.assert_allclose(parts, r["wall_time"], rtol=1e-9, err_msg="the parts of the loop add up to it")
        for column, dtype in (("iteration", np.int64), ("rank", np.int64), ("bytes_sent", np.int64),
                              ("messages_sent", np.int64), ("epoch", np.float64), ("train_loss", np.float64)):
            self.assertEqual(dtype, r[column].dtype, column)
        self.assertEqual([5, 5, 5, 10, 10, 10, 15, 15, 15, 20, 20, 20], r["iteration"].tolist())
        self.assertEqual([0, 1, 2] * 4, r["rank"].tolist())
        with h5py.File(run.metrics_file, "r") as f:
            m = f["metrics"]
            np.testing.assert_array_equal(m["train_loss"][()], r["train_loss"].to_numpy().reshape(4, 3))
            np.testing.assert_array_equal(m["bytes_sent"][()], r["bytes_sent"].to_numpy().reshape(4, 3))
            # network-wide series repeat on every rank's row
            np.testing.assert_array_equal(m["consensus_distance"][()], r["consensus_distance"].to_numpy()[::3])
            np.testing.assert_array_equal(m["optimum_distance"][()], r["optimum_distance"].to_numpy()[1::3])
            self.assertEqual(set(m.keys()), {d for d, _ in (schema.RECORD_AXIS, schema.EVAL_AXIS) + schema.RECORD_SERIES
                                             + schema.RECORD_PER_RANK + schema.EVAL_SERIES + schema.EVAL_PER_RANK},
                             "every dataset the writer puts in /metrics is named in schema.py")
        self.assertEqual(1.0, (r["epoch"] * run.provenance["iterations_per_epoch"] / r["iteration"]).round(9).unique()[0])

    def test_evaluations(self):
        e = dr.load_run(run_dir("seed1")).evaluations
        self.assertEqual(["iteration", "epoch", "wall_time", "rank", "local_test_loss", "local_test_accuracy",
                          "local_train_objective", "test_loss", "test_accuracy", "train_objective",
                          "local_train_objective_mean"], e.columns.tolist())
        self.assertTrue(np.isfinite(e["train_objective"]).all() and np.isfinite(e["local_train_objective"]).all())
        self.assertEqual([10, 10, 10, 20, 20, 20], e["iteration"].tolist())
        self.assertTrue(e["test_accuracy"].isna().all(), "regression has no accuracy")
        self.assertTrue(np.isfinite(e["local_test_loss"]).all())
        quick = dr.load_run(run_dir("quick")).evaluations
        self.assertTrue(quick["test_accuracy"].between(0, 1).all())
        self.assertTrue(quick["local_test_accuracy"].between(0, 1).all())
        self.assertNotIn("optimum_distance", dr.load_run(run_dir("quick")).records.columns,
                         "Fashion-MNIST has no known optimum")

    def test_nothing_is_bytes_and_config_and_provenance_are_typed(self):
        run = dr.load_run(run_dir("quick"))
        for part in ("provenance", "config", "algorithm", "topology", "partition"):
            assert_no_bytes(self, getattr(run, part), part)
        for table in ("records", "evaluations", "merged"):
            assert_no_bytes(self, getattr(run, table), table)
        c = run.config
        self.assertEqual((32, 0.1, True, False, [], [128], 1, "auto", 0.0, 20),
                         (c["batch"], c["lr"], c["eval.local"], c["gradient.exact"], c["lr.decay.epochs"],
                          c["model.hidden"], c["seed"], c["detag.eta"], c["gossip.eta"], c["iterations"]))
        self.assertIs(type(c["epochs"]), float)
        self.assertIs(type(c["batch"]), int)
        p = run.provenance
        self.assertEqual(("complete", 2, "multicore"), (p["status"], p["ranks"], p["mpj_device"]))
        self.assertIs(type(p["git_dirty"]), bool)
        self.assertEqual(["java", "java"], p["compute_devices"])
        self.assertIs(type(p["setup_time"]), float)
        self.assertRegex(p["git_commit"], r"^([0-9a-f]{40}|unknown)$")
        self.assertEqual("ring(2)", run.topology["name"])
        self.assertEqual((2, 2), run.topology["W"].shape)
        self.assertEqual((2, 10), run.partition["class_counts"].shape)
        self.assertEqual("dpsgd", run.algorithm["name"])
        models = run.models()
        self.assertEqual((2, 7850), models["local"].shape)

    def test_merged_view_when_evaluations_fall_between_records(self):
        run = dr.load_run(run_dir("dsgt"))  # records every 5 iterations, evaluations every 7 and at 20
        m = run.merged
        self.assertEqual([5, 7, 10, 14, 15, 20], m["iteration"].unique().tolist())
        self.assertEqual(6 * 2, len(m))
        at = m.set_index(["iteration", "rank"])
        self.assertTrue(np.isnan(at.loc[(7, 0), "train_loss"]) and np.isfinite(at.loc[(7, 0), "test_loss"]))
        self.assertTrue(np.isfinite(at.loc[(5, 1), "train_loss"]) and np.isnan(at.loc[(5, 1), "test_loss"]))
        self.assertTrue(np.isfinite(at.loc[(20, 1), "train_loss"]) and np.isfinite(at.loc[(20, 1), "local_test_loss"]))
        self.assertFalse(m["epoch"].isna().any())
        np.testing.assert_allclose(m["iteration"] / run.provenance["iterations_per_epoch"], m["epoch"])
        self.assertIn("eval_wall_time", m.columns)
        self.assertEqual("dsgt", run.config["algorithm"])

    def test_a_diverged_run_keeps_its_series_up_to_the_blow_up(self):
        for name in ("diverged", "diverged-early"):
            run = dr.load_run(run_dir(name))
            self.assertEqual(("diverged", "diverged"), (run.status, run.recorded_status), name)
            at = run.provenance["diverged_at"]
            self.assertIs(type(at), int)
            self.assertRegex(run.failure, "training loss is (NaN|Infinity|-Infinity) at iteration %d" % at)
            self.assertGreater(len(run.records), 0, name)
            self.assertLessEqual(run.records["iteration"].max(), at, "nothing measured after the blow-up")
            self.assertTrue(np.isfinite(run.records["train_loss"]).all(), name)
            self.assertEqual(1e6, run.config["lr"])
            with open(os.path.join(run_dir(name), "metrics.jsonl"), encoding="utf-8") as f:
                last = f.read().splitlines()[-1]
            self.assertIn('"status":"diverged"', last)

    def test_a_run_that_failed_before_writing_metrics_is_a_clear_error(self):
        path = os.path.join(temp_dir("detrain-failed-"), "failed-early")
        shutil.copytree(run_dir("diverged-early"), path)
        os.remove(os.path.join(path, "metrics.h5"))
        with self.assertRaisesRegex(dr.ResultsError, re.escape(os.path.join(path, "metrics.h5"))
                                    + " does not exist: the run failed before writing it: rank [0-9]+: the training loss"):
            dr.load_run(path)

    def test_a_running_file_is_followed_by_the_lines_written_since(self):
        """metrics.h5 is rewritten every few seconds, metrics.jsonl line by line: a reader of a
        running run gets the file's rows, then the newer lines' (a last line cut short is left out)."""
        path = os.path.join(temp_dir("detrain-live-"), "live")
        shutil.copytree(run_dir("dsgt"), path)  # records at 5, 10, 15, 20; evaluations at 7, 14, 20
        whole = dr.load_run(path)
        with h5py.File(os.path.join(path, "metrics.h5"), "r+") as f:
            f.attrs["status"] = "running"
            m = f["metrics"]
            for name in list(m):
                axis = m["eval_iteration"] if name.startswith(("eval_", "test_", "local_")) \
                    or name in ("train_objective",) else m["iteration"]
                keep = 1 if len(axis) == 3 else 2  # one evaluation, two records
                data = m[name][()][:keep]
                del m[name]
                m.create_dataset(name, data=data)
        with open(os.path.join(path, "metrics.jsonl"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        with open(os.path.join(path, "metrics.jsonl"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines[:-1]) + "\n" + lines[-1][:20])  # the status line cut short
        live = dr.load_run(path)
        self.assertEqual("running", live.status)
        for table in ("records", "evaluations"):
            a, b = getattr(whole, table).copy(), getattr(live, table).copy()
            if table == "records":  # the final file's last record has the loop's end times (the cut status line's)
                times = [c for c, _ in [(d, c) for d, c in schema.RECORD_SERIES] if c.endswith("_time")]
                last = a["iteration"] == a["iteration"].max()
                a.loc[last, times] = b.loc[last, times]
            self.assertEqual(a.columns.tolist(), b.columns.tolist(), table)
            self.assertEqual(a.dtypes.tolist(), b.dtypes.tolist(), table)
            pd.testing.assert_frame_equal(a, b, check_exact=True, obj=table)


class LoadRunsTest(unittest.TestCase):
    def test_a_sweep_directory_with_two_seeds(self):
        df = dr.load_runs(os.path.join(results(), "sweep"))
        self.assertEqual(["seed1", "seed2"], sorted(df["run"].unique()))
        self.assertEqual(2 * 4 * 3, len(df))
        self.assertEqual(np.int64, df["seed"].dtype)
        self.assertEqual(np.float64, df["lr"].dtype)
        self.assertEqual(np.int64, df["ranks"].dtype)
        self.assertEqual({1, 2}, set(df["seed"]))
        per_seed = df.groupby(["seed", "iteration"]).train_loss.mean().unstack(0)
        self.assertEqual((4, 2), per_seed.shape)
        self.assertFalse(np.allclose(per_seed[1], per_seed[2]), "another seed, another run")
        per_algorithm = df[df.iteration == 20].groupby("algorithm").train_loss.agg(["mean", "std"])
        self.assertEqual(["dpsgd"], per_algorithm.index.tolist())
        assert_no_bytes(self, df, "load_runs")

    def test_a_results_tree_with_failed_runs(self):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            df = dr.load_runs(results())
        self.assertEqual(["diverged", "diverged-early", "dsgt", "quick", "sweep/seed1", "sweep/seed2"],
                         sorted(df["run"].unique()))
        self.assertEqual([], [str(w.message) for w in caught], "every run wrote its metrics, diverged ones too")
        statuses = df.drop_duplicates("run").set_index("run")["status"]
        self.assertEqual("complete", statuses["quick"])
        self.assertEqual("diverged", statuses["diverged"])
        runs = dr.load_runs(results(), table="runs").set_index("run")
        self.assertEqual(6, len(runs))
        self.assertEqual("diverged", runs.loc["diverged-early", "status"])
        self.assertEqual(1e6, runs.loc["diverged-early", "lr"])
        self.assertRegex(runs.loc["diverged-early", "failure"], "training loss")
        self.assertEqual(20, runs.loc["quick", "iterations_done"])
        self.assertTrue(0 < runs.loc["quick", "final_test_accuracy"] <= 1)
        assert_no_bytes(self, runs, "runs table")

    def test_globs_and_tables(self):
        evals = dr.load_runs(os.path.join(results(), "sweep", "seed*", "metrics.h5"), table="evaluations")
        self.assertEqual(2 * 2 * 3, len(evals))
        merged = dr.load_runs([run_dir("dsgt"), run_dir("quick")], table="merged")
        self.assertEqual(6 * 2 + 4 * 2, len(merged))
        self.assertEqual({"dsgt", "quick"}, set(merged["run"]))

    def test_to_xarray(self):
        try:
            import xarray  # noqa: F401
        except ImportError:
            self.skipTest("python3-xarray is not installed")
        ds = dr.to_xarray(dr.load_runs(os.path.join(results(), "sweep")))
        self.assertEqual({"run": 2, "iteration": 4, "rank": 3}, dict(ds.sizes))
        self.assertEqual(("run", "iteration", "rank"), ds["train_loss"].dims)
        self.assertEqual(("run", "iteration"), ds["consensus_distance"].dims)
        self.assertEqual([1, 2], ds["seed"].values.tolist())
        self.assertEqual(dr.load_run(run_dir("seed2")).records["train_loss"].iloc[-1],
                         float(ds["train_loss"].sel(run="seed2", iteration=20, rank=2)))
        single = dr.load_run(run_dir("quick")).to_xarray()
        self.assertEqual({"run": 1, "iteration": 4, "rank": 2}, dict(single.sizes))


class ReadmeTest(unittest.TestCase):
    def test_the_readme_python_example_runs(self):
        """README's <!-- python-package-example --> block, run in a folder whose results/ holds runs."""
        with open(os.path.join(REPO, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        at = readme.find("<!-- python-package-example -->")
        self.assertGreaterEqual(at, 0, "README.md lacks the <!-- python-package-example --> block")
        start = readme.index("```python", at) + len("```python")
        code = readme[start:readme.index("```", start)]
        cwd = temp_dir("detrain-readme-")
        os.symlink(os.path.join(results(), "sweep"), os.path.join(cwd, "results"))
        p = python(code, cwd)
        self.assertEqual(0, p.returncode, p.stdout + p.stderr)
        self.assertIn("dpsgd", p.stdout)


if __name__ == "__main__":
    unittest.main()
