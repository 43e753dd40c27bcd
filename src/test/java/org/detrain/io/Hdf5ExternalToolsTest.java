package org.detrain.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files detrain writes, as h5dump and h5py see them: the contract with users' scripts. */
class Hdf5ExternalToolsTest {
    @TempDir
    Path dir;

    @Test
    void h5dumpReadsEveryTypeAndShowsTheValues() {
        Path file = dir.resolve("every.h5");
        Hdf5Files.writeAtomically(file, SampleTrees.everyType());
        String out = ExternalTools.h5dump(file.toString()).assertSuccess().stdout();

        assertContains(out, "DATASET \"d2\" {\n         DATATYPE  H5T_IEEE_F64LE\n"
                + "         DATASPACE  SIMPLE { ( 2, 3 ) / ( 2, 3 ) }\n         DATA {\n"
                + "         (0,0): 1, 2, 3,\n         (1,0): 4, 5, 6\n");
        assertContains(out, "(0): 1099511627776, -7");
        assertContains(out, "(0,0): -128, 0,");
        assertContains(out, "(0): \"alpha\", \"b\", \"\"");
        assertContains(out, "ATTRIBUTE \"l\" {\n      DATATYPE  H5T_STD_I64LE\n      DATASPACE  SCALAR\n"
                + "      DATA {\n      (0): 1234567890123");
        assertContains(out, "ATTRIBUTE \"i\" {\n      DATATYPE  H5T_STD_I32LE");
        assertContains(out, "ATTRIBUTE \"b_true\" {\n      DATATYPE  H5T_ENUM {\n         H5T_STD_I8LE;\n"
                + "         \"FALSE\"            0;\n         \"TRUE\"             1;\n      }\n      DATASPACE  SCALAR\n"
                + "      DATA {\n      (0): TRUE");
        assertContains(out, "ATTRIBUTE \"s\" {\n      DATATYPE  H5T_STRING {\n         STRSIZE H5T_VARIABLE;\n"
                + "         STRPAD H5T_STR_NULLTERM;\n         CSET H5T_CSET_UTF8;\n");
        assertContains(out, "(0): \"hello\"");
        assertContains(out, "CSET H5T_CSET_UTF8;");
        assertContains(out, "(0): \"e1:int64:0\", \"e2:float64:0x0\", \"e3:float64:3x0\", \"e4:string:0\"");
        assertContains(out, "GROUP \"mm_empty_group\" {\n   }");
        assertContains(out, "ATTRIBUTE \"algorithm\"");
    }

    @Test
    void h5dumpReadsCompressedDatasets() {
        Path file = dir.resolve("large.h5");
        Hdf5Files.writeAtomically(file, SampleTrees.large());
        String header = ExternalTools.h5dump("-p", "-H", "-d", "/big/d", file.toString()).assertSuccess().stdout();
        assertContains(header, "CHUNKED ( 2048, 16 )");
        assertContains(header, "SHUFFLE");
        assertContains(header, "COMPRESSION DEFLATE { LEVEL 4 }");
        // Full dump decompresses every chunk, including the partial last one.
        String data = ExternalTools.h5dump("-d", "/big/l", "-s", "49998", "-c", "2", file.toString()).assertSuccess().stdout();
        assertContains(data, "(49998): 149993, 149996");
        ExternalTools.h5dump(file.toString()).assertSuccess();
    }

    @Test
    void h5pyReadsEveryTypeWithTheDocumentedDtypesAndShapes() {
        Path file = dir.resolve("every.h5");
        Hdf5Files.writeAtomically(file, SampleTrees.everyType());
        String check = """
                import sys, math, h5py, numpy as np
                f = h5py.File(sys.argv[1], 'r')
                a = f.attrs
                def attr(name, dtype, value):
                    v = a[name]
                    assert type(v) is np.dtype(dtype).type, (name, type(v))
                    assert v == value, (name, v)
                attr('l', 'int64', 1234567890123)
                attr('l_negative', 'int64', -5)
                attr('i', 'int32', 42)
                attr('d', 'float64', 0.1)
                assert math.isnan(a['d_nan'])
                attr('b_true', 'bool', True)
                attr('b_false', 'bool', False)
                assert type(a['s']) is str and a['s'] == 'hello'
                assert a['s_utf8'] == 'h\\u00e9llo \\u2713', a['s_utf8']
                assert a['s_empty'] == ''
                assert a['strings'].dtype.kind == 'O' and a['strings'].shape == (3,)
                assert a['strings'].tolist() == ['alpha', '', '\\u03b2\\u03b3']
                for name, dtype, value in [('doubles', 'float64', [1.5, -2.25]),
                                           ('longs', 'int64', [1, 2**40]), ('ints', 'int32', [-1, 7])]:
                    assert a[name].dtype == dtype and a[name].shape == (len(value),), name
                    assert a[name].tolist() == value, name
                d = f['data']
                def ds(name, dtype, value):
                    x = d[name]
                    assert x.dtype == np.dtype(dtype), (name, x.dtype)
                    assert x.shape == np.array(value).shape, (name, x.shape)
                    assert x[()].tolist() == value, (name, x[()])
                ds('d1', 'float64', [1.25, -2.5, 3.0])
                ds('d2', 'float64', [[1, 2, 3], [4, 5, 6]])
                ds('f1', 'float32', [1.5, -0.25])
                ds('f2', 'float32', [[1.5], [2.5]])
                ds('l1', 'int64', [2**40, -7])
                ds('l2', 'int64', [[1, 2], [3, 4]])
                ds('i1', 'int32', [7, -8])
                ds('i2', 'int32', [[7, 8], [9, 10]])
                ds('b1', 'int8', [-1, 2, 127])
                ds('b2', 'int8', [[-128, 0], [1, 2]])
                assert d['s1'].dtype.kind == 'S' and d['s1'].shape == (3,)
                assert d['s1'].asstr()[()].tolist() == ['alpha', 'b', '']
                assert d['s2'].shape == (2, 2) and d['s2'].asstr()[()].tolist() == [['a', 'bc'], ['d', '\\u00e9']]
                assert d.attrs['unit'] == 'none'
                assert 'd_empty' not in d
                assert d.attrs['_empty_datasets'].tolist() == ['d_empty:float64:0']
                e = f['empty']
                assert len(e) == 0
                assert sorted(e.attrs['_empty_datasets']) == [
                    'e1:int64:0', 'e2:float64:0x0', 'e3:float64:3x0', 'e4:string:0']
                assert f['config'].attrs['algorithm'] == 'dpsgd'
                assert f['zz_attrs_only'].attrs['k'] == 2
                assert len(f['mm_empty_group']) == 0
                assert f['nested/deeper/deepest'].attrs['depth'] == 3
                assert list(f) == ['aa_attrs_only', 'config', 'data', 'empty', 'mm_empty_group', 'nested', 'zz_attrs_only']
                print('OK')
                """;
        ExternalTools.Result result = ExternalTools.python(check, file.toString()).assertSuccess();
        assertEquals("OK\n", result.stdout());
    }

    @Test
    void h5pyReadsCompressedDatasets() {
        Path file = dir.resolve("large.h5");
        Hdf5Files.writeAtomically(file, SampleTrees.large());
        String check = """
                import sys, h5py, numpy as np
                b = h5py.File(sys.argv[1], 'r')['big']
                d = b['d']
                assert d.compression == 'gzip' and d.shuffle and d.chunks == (2048, 16), (d.compression, d.chunks)
                r, c = np.meshgrid(np.arange(5000), np.arange(16), indexing='ij')
                assert d.dtype == np.float64 and np.array_equal(d[()], r + c / 16.0)
                assert b['l'].dtype == np.int64 and np.array_equal(b['l'][()], 3 * np.arange(50000) - 1)
                assert b['l'].chunks == (32768,)
                assert b['f'].dtype == np.float32 and np.array_equal(b['f'][()], np.arange(30000, dtype=np.float32) * 0.25)
                assert b['b'].dtype == np.int8 and not b['b'].shuffle
                assert np.array_equal(b['b'][()], (np.arange(300000) % 256).astype(np.uint8).view(np.int8))
                assert np.array_equal(b['i'][()], 100 * np.arange(300)[:, None] + np.arange(100)[None, :])
                print('OK')
                """;
        assertEquals("OK\n", ExternalTools.python(check, file.toString()).assertSuccess().stdout());
    }

    private static void assertContains(String text, String expected) {
        assertTrue(text.contains(expected), "expected\n" + expected + "\nin\n" + text);
    }
}
