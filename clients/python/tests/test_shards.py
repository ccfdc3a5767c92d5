"""Offline tests of the client (no server): shard decoding with and without numpy, metric value encoding."""

import struct
import unittest

from tdlab import decode_shard
from tdlab.client import _number, _float


class ShardTest(unittest.TestCase):

    def test_bits1_is_least_significant_bit_first(self):
        # two sequences of 3 tokens: 1 0 1 | 1 1 0 -> bits 0b011101 = 0x1D... read LSB first
        tokens = [1, 0, 1, 1, 1, 0]
        byte = sum(b << i for i, b in enumerate(tokens))
        out = decode_shard(bytes([byte]), "bits1", 2, 3, use_numpy=False)
        self.assertEqual(out["tokens"], [[1, 0, 1], [1, 1, 0]])

    def test_labeled_u8_has_the_labels_first(self):
        out = decode_shard(bytes([1, 0, 5, 6, 7, 8]), "labeled-u8", 2, 2, use_numpy=False)
        self.assertEqual(out["labels"], [1, 0])
        self.assertEqual(out["tokens"], [[5, 6], [7, 8]])

    def test_patch_records(self):
        body = struct.pack("<bbBB4f", -1, 1, 2, 0, 1.0, 2.0, 3.0, 4.0)
        out = decode_shard(body, "patch-f32", 1, patches=2, dim=2, use_numpy=False)
        self.assertEqual(out["labels"], [-1])
        self.assertEqual(out["x"], [[[1.0, 2.0], [3.0, 4.0]]])

    def test_numpy_matches_lists_when_installed(self):
        try:
            import numpy  # noqa: F401
        except ImportError:
            self.skipTest("numpy not installed")
        body = bytes([0b10110101, 0b01])
        a = decode_shard(body, "bits1", 3, 3, use_numpy=True)["tokens"].tolist()
        b = decode_shard(body, "bits1", 3, 3, use_numpy=False)["tokens"]
        self.assertEqual(a, b)

    def test_non_finite_values_travel_as_strings(self):
        self.assertEqual(_number(float("nan")), "NaN")
        self.assertEqual(_number(float("-inf")), "-Infinity")
        self.assertEqual(_number(1), 1.0)
        self.assertEqual(_float("-Infinity"), float("-inf"))


if __name__ == "__main__":
    unittest.main()
