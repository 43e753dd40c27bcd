"""detrain_results on hand-made metrics.h5 files: both string encodings, empty and missing series,
statuses, broken files, and the typing of values."""
import os
import re
import unittest
import warnings

import numpy as np
import pandas as pd

import detrain_results as dr
from detrain_results import schema
from detrain_results._values import config_value, guess, read_properties

from support import REPO, temp_dir, write_fake_run


def assert_no_bytes(test, value, where):
    """Fails if value (a dict, list, DataFrame or scalar) holds bytes anywhere."""
    if isinstance(value, pd.DataFrame):
        for c in value.columns:
            test.assertNotIsInstance(c, bytes, where)
            if value[c].dtype == object:
                for v in value[c]:
                    assert_no_bytes(test, v, "%s[%s]" % (where, c))
    elif isinstance(value, dict):
        for k, v in value.items():
            test.assertNotIsInstance(k, bytes, where)
            assert_no_bytes(test, v, "%s[%s]" % (where, k))
    elif isinstance(value, (list, tuple)):
        for v in value:
            assert_no_bytes(test, v, where)
    elif isinstance(value, np.ndarray):
        test.assertNotIn(value.dtype.kind, "S", where)
        if value.dtype == object:
            for v in value.reshape(-1):
                assert_no_bytes(test, v, where)
    else:
        test.assertNotIsInstance(value, (bytes, np.bytes_), "%s holds bytes: %r" % (where, value))


class FileTest(unittest.TestCase):
    def setUp(self):
        self.dir = temp_dir("detrain-files-")

    def run_path(self, name):
        return os.path.join(self.dir, name)

    def test_fixed_length_bytes_and_utf8_strings_read_the_same(self):
        a = dr.load_run(write_fake_run(self.run_path("a"), as_bytes=True))
        b = dr.load_run(write_fake_run(self.run_path("b"), as_bytes=False))
        for run in (a, b):
            for part in ("provenance", "config", "algorithm", "topology", "partition"):
                assert_no_bytes(self, getattr(run, part), part)
            for table in ("records", "evaluations", "merged"):
                assert_no_bytes(self, getattr(run, table), table)
            self.assertEqual(["host0", "host1"], run.provenance["hosts"])
            self.assertEqual("ring(2)", run.topology["name"])
        a.provenance.pop("run_id"), b.provenance.pop("run_id")
        self.assertEqual(a.provenance, b.provenance)
        self.assertEqual(a.config, b.config)
        pd.testing.assert_frame_equal(a.merged, b.merged)

    def test_config_and_provenance_values_are_typed(self):
        run = dr.load_run(write_fake_run(self.run_path("t"), extra_config={"some.new.key": "2.5",
                                                                            "typed.already": np.int64(7)}))
        c = run.config
        self.assertIs(type(c["lr"]), float)
        self.assertEqual(0.05, c["lr"])
        self.assertIs(type(c["batch"]), int)
        self.assertIs(c["eval.local"], True)
        self.assertEqual([256, 128], c["model.hidden"])
        self.assertEqual([], c["lr.decay.epochs"])
        self.assertEqual("auto", c["detag.eta"])
        self.assertEqual("d2", c["algorithm"])
        self.assertEqual(2.5, c["some.new.key"])  # unknown keys are typed by their look
        self.assertIs(type(c["typed.already"]), int)
        self.assertIs(run.provenance["git_dirty"], True)
        self.assertIs(type(run.provenance["ranks"]), int)
        self.assertIs(type(run.provenance["setup_time"]), float)

    def test_typing_rules(self):
        self.assertEqual(1.0, config_value("lr", "1"))
        self.assertIs(type(config_value("lr", "1")), float)  # a float key stays float even for "1"
        self.assertEqual(0.9, config_value("gossip.eta", b"0.9"))
        self.assertEqual([0.5, 2.0], config_value("lr.decay.epochs", "0.5, 2"))
        self.assertEqual(32, config_value("batch", np.float64(32)))
        self.assertEqual("oops", config_value("batch", "oops"))  # does not fit: kept as its text
        self.assertEqual([1, 2], guess("1,2"))
        self.assertIs(guess("FALSE"), False)
        self.assertEqual("a,b", guess("a,b"))
        self.assertEqual(1e-5, guess(b"1e-5"))

    def test_merged_view_puts_records_and_evaluations_on_one_iteration_axis(self):
        run = dr.load_run(write_fake_run(self.run_path("m"), ranks=2, records=(5, 10, 15), evals=(7, 15)))
        m = run.merged
        self.assertEqual([5, 5, 7, 7, 10, 10, 15, 15], m["iteration"].tolist())
        self.assertEqual([0, 1] * 4, m["rank"].tolist())
        at = m.set_index(["iteration", "rank"])
        self.assertTrue(np.isnan(at.loc[(7, 0), "train_loss"]))
        self.assertAlmostEqual(0.7, at.loc[(7, 0), "test_loss"])
        self.assertTrue(np.isnan(at.loc[(5, 1), "test_loss"]))
        self.assertEqual(run.records.set_index(["iteration", "rank"]).loc[(15, 1), "train_loss"],
                         at.loc[(15, 1), "train_loss"])
        self.assertAlmostEqual(1.51, at.loc[(15, 1), "eval_wall_time"])
        self.assertAlmostEqual(1.5, at.loc[(15, 1), "wall_time"])
        np.testing.assert_allclose(m["iteration"] / 100.0, m["epoch"])  # epoch filled from either side

    def test_a_running_file_without_records_gives_empty_typed_tables(self):
        path = write_fake_run(self.run_path("r"), status="running", records=(), evals=(),
                              empty=("iteration", "epoch", "wall_time", "consensus_distance", "optimum_distance",
                                     "train_loss", "grad_norm", "bytes_sent", "messages_sent", "compute_time",
                                     "comm_wait_time", "eval_iteration", "eval_epoch", "eval_wall_time",
                                     "test_loss", "test_accuracy", "local_test_loss", "local_test_accuracy"))
        run = dr.load_run(path)
        self.assertEqual("running", run.status)
        self.assertEqual(0, len(run.records))
        self.assertEqual(0, len(run.evaluations))
        self.assertEqual(np.int64, run.records["iteration"].dtype)
        self.assertEqual(np.float64, run.records["train_loss"].dtype)
        self.assertIn("test_accuracy", run.evaluations.columns)
        self.assertEqual(0, len(run.merged))
        self.assertEqual(0, run.summary()["iterations_done"])

    def test_evaluations_not_yet_written_are_an_empty_table(self):
        run = dr.load_run(write_fake_run(self.run_path("e"), status="running", evals=(),
                                         empty=("eval_iteration", "eval_epoch", "eval_wall_time", "test_loss",
                                                "test_accuracy", "local_test_loss", "local_test_accuracy")))
        self.assertEqual(4, len(run.records))
        self.assertEqual(0, len(run.evaluations))
        self.assertEqual(4, len(run.merged))

    def test_a_missing_optional_series_leaves_its_column_out(self):
        run = dr.load_run(write_fake_run(self.run_path("o"), optimum=False))
        self.assertNotIn("optimum_distance", run.records.columns)
        self.assertIn("consensus_distance", run.records.columns)

    def test_a_missing_required_series_names_the_file_and_the_dataset(self):
        path = write_fake_run(self.run_path("x"), drop=("train_loss",))
        with self.assertRaisesRegex(dr.ResultsError, re.escape(path) + ".*/metrics/train_loss"):
            dr.load_run(path)

    def test_a_series_of_the_wrong_shape_is_an_error(self):
        path = write_fake_run(self.run_path("s"), bad_shape="grad_norm")
        with self.assertRaisesRegex(dr.ResultsError, re.escape(path) + ".*grad_norm has shape"):
            dr.load_run(path)

    def test_a_running_file_caught_with_a_series_a_row_behind_is_cut_to_the_common_rows(self):
        import h5py
        for status in ("running", "complete"):
            path = write_fake_run(self.run_path(status), status=status, records=(5, 10, 15))
            with h5py.File(path, "a") as f:  # as if read while the writer appends a record
                loss = f["metrics/train_loss"][()]
                del f["metrics/train_loss"]
                f["metrics/train_loss"] = loss[:2]
            if status == "running":
                run = dr.load_run(path)
                self.assertEqual([5, 10], run.records["iteration"].unique().tolist())
                self.assertFalse(run.records.isna().any().any())
            else:
                with self.assertRaisesRegex(dr.ResultsError, re.escape(path) + ".*train_loss has shape \\(2, 2\\)"):
                    dr.load_run(path)

    def test_statuses(self):
        self.assertEqual("stopped", dr.load_run(write_fake_run(self.run_path("st"), status="stopped")).status)
        running = write_fake_run(self.run_path("ru"), status="running")
        self.assertEqual("running", dr.load_run(running).status)
        self.assertEqual("diverged", dr.load_run(write_fake_run(self.run_path("dv"), status="diverged")).status)
        os.makedirs(os.path.join(self.run_path("ru"), "status"))
        with open(os.path.join(self.run_path("ru"), "status", "rank-1.failed"), "w") as f:
            f.write("rank 1: the training loss is NaN at iteration 7; lower lr\nstack...\n")
        run = dr.load_run(self.run_path("ru"))
        self.assertEqual("failed", run.status)
        self.assertEqual("running", run.recorded_status)
        self.assertEqual("rank 1: the training loss is NaN at iteration 7; lower lr", run.failure)

    def test_broken_inputs_give_clear_errors(self):
        with self.assertRaisesRegex(dr.ResultsError, "nowhere does not exist"):
            dr.load_run(os.path.join(self.dir, "nowhere"))
        not_h5 = os.path.join(self.dir, "junk", "metrics.h5")
        os.makedirs(os.path.dirname(not_h5))
        with open(not_h5, "w") as f:
            f.write("not HDF5")
        with self.assertRaisesRegex(dr.ResultsError, re.escape(not_h5) + " is not a readable HDF5 file"):
            dr.load_run(not_h5)
        other = os.path.join(self.dir, "other.txt")
        open(other, "w").close()
        with self.assertRaisesRegex(dr.ResultsError, "is a file but not a metrics.h5"):
            dr.load_run(other)
        import h5py
        foreign = os.path.join(self.dir, "foreign", "metrics.h5")
        os.makedirs(os.path.dirname(foreign))
        with h5py.File(foreign, "w") as f:
            f.create_group("data")
        with self.assertRaisesRegex(dr.ResultsError, re.escape(foreign) + ": no /metrics group"):
            dr.load_run(foreign)
        with self.assertRaisesRegex(dr.ResultsError, "not a run directory.*load_runs"):
            dr.load_run(self.dir)

    def test_load_runs_names_runs_uniquely_and_types_config_columns(self):
        write_fake_run(os.path.join(self.dir, "a", "task-000"), extra_config={"lr": "0.1"})
        write_fake_run(os.path.join(self.dir, "b", "task-000"), extra_config={"lr": "1"})
        df = dr.load_runs(self.dir)
        self.assertEqual(["a/task-000", "b/task-000"], sorted(df["run"].unique()))
        self.assertEqual(["task-000"], df["run_id"].unique().tolist())
        self.assertEqual(np.float64, df["lr"].dtype)
        self.assertEqual(np.int64, df["batch"].dtype)
        self.assertEqual(bool, df["eval.local"].dtype)
        self.assertEqual((256, 128), df["model.hidden"].iloc[0])  # lists as tuples, so one can group by them
        self.assertEqual(2, df.groupby("model.hidden").ngroups * df.groupby("lr").ngroups)
        assert_no_bytes(self, df, "load_runs")
        self.assertEqual(list(schema.RUN_COLUMNS), df.columns[:4].tolist())
        runs = dr.load_runs(os.path.join(self.dir, "*"), table="runs")  # a glob
        self.assertEqual(2, len(runs))
        self.assertEqual([0.1, 1.0], sorted(runs["lr"]))

    def test_load_runs_errors(self):
        with self.assertRaisesRegex(dr.ResultsError, "nowhere does not exist"):
            dr.load_runs(os.path.join(self.dir, "nowhere"))
        os.makedirs(os.path.join(self.dir, "empty"))
        with self.assertRaisesRegex(dr.ResultsError, "no run below .*empty"):
            dr.load_runs(os.path.join(self.dir, "empty"))
        with self.assertRaisesRegex(dr.ResultsError, "matches nothing"):
            dr.load_runs(os.path.join(self.dir, "x*"))
        write_fake_run(os.path.join(self.dir, "good"))
        bad = os.path.join(self.dir, "bad", "metrics.h5")
        os.makedirs(os.path.dirname(bad))
        open(bad, "w").close()
        with self.assertRaisesRegex(dr.ResultsError, re.escape(bad)):
            dr.load_runs(self.dir)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            df = dr.load_runs(self.dir, errors="warn")
        self.assertEqual(["good"], df["run"].unique().tolist())
        self.assertTrue(any(bad in str(w.message) for w in caught), [str(w.message) for w in caught])
        with self.assertRaises(ValueError):
            dr.load_runs(self.dir, table="nope")

    def test_read_properties(self):
        path = os.path.join(self.dir, "p.properties")
        with open(path, "w") as f:
            f.write("# comment\n! another\nkey = value\nlaunched_at=2026-01-01T10\\:00\\:00Z\n"
                    "command=detrain --set a\\=b\nlong = one \\\n    two\nunicode=\\u00e9\n  spaced  :  x\n")
        self.assertEqual({"key": "value", "launched_at": "2026-01-01T10:00:00Z", "command": "detrain --set a=b",
                          "long": "one two", "unicode": "\u00e9", "spaced": "x"}, read_properties(path))


class SchemaTest(unittest.TestCase):
    def test_config_types_follow_the_java_config_schema(self):
        """Every key of ConfigSchema.java has a type here that fits its KeySpec factory (lists are
        Java strings), and no key here is unknown to Java."""
        source = os.path.join(REPO, "src", "main", "java", "org", "detrain", "config", "ConfigSchema.java")
        with open(source, encoding="utf-8") as f:
            keys = re.findall(r'KeySpec\.(\w+)\(\s*"([^"]+)"', f.read())
        self.assertGreater(len(keys), 20, "no KeySpec.<factory>(\"key\", ...) calls found in " + source)
        fits = {"longValue": {schema.INT}, "integer": {schema.INT}, "real": {schema.FLOAT},
                "positive": {schema.FLOAT}, "autoOrReal": {schema.AUTO_OR_FLOAT}, "wordOrInteger": {schema.WORD_OR_INT},
                "bool": {schema.BOOL},
                "choice": {schema.STR}, "string": {schema.STR, schema.FLOAT_LIST, schema.INT_LIST}}
        java = {}
        for factory, key in keys:
            self.assertIn(factory, fits, "KeySpec.%s (key %s) is new: add it to this test and to schema.CONFIG_TYPES"
                          % (factory, key))
            java[key] = factory
            self.assertTrue(key in schema.CONFIG_TYPES, "config key %s is missing from schema.CONFIG_TYPES" % key)
            self.assertIn(schema.CONFIG_TYPES[key], fits[factory], "schema.CONFIG_TYPES[%r] does not fit KeySpec.%s"
                          % (key, factory))
        self.assertEqual(set(), set(schema.CONFIG_TYPES) - set(java), "keys Java no longer has")


if __name__ == "__main__":
    unittest.main()
