"""A PEP 517 build backend in the standard library only, so that ``pip install ./clients/python`` works offline.

pip builds a package in an isolated environment with the backend's requirements; setuptools and wheel would have to be
downloaded from PyPI. This backend needs nothing: it zips the ``tdlab`` package into a pure-Python wheel (and an
sdist), with the metadata below.
"""

import base64
import hashlib
import io
import os
import tarfile
import zipfile

NAME = "tdlab"
VERSION = "0.1.0"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
METADATA = """Metadata-Version: 2.1
Name: tdlab
Version: {v}
Summary: Python client of tdlab: bring your own training loop, get the lab's verdicts against exact theory
Requires-Python: >=3.9
Provides-Extra: numpy
Requires-Dist: numpy; extra == "numpy"
Provides-Extra: pandas
Requires-Dist: pandas; extra == "pandas"
Provides-Extra: yaml
Requires-Dist: PyYAML; extra == "yaml"
""".format(v=VERSION)
WHEEL = "Wheel-Version: 1.0\nGenerator: tdlab_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def _sources():
    pkg = os.path.join(ROOT, NAME)
    for dirpath, dirnames, filenames in os.walk(pkg):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        for f in sorted(filenames):
            if f.endswith(".py"):
                full = os.path.join(dirpath, f)
                yield full, os.path.relpath(full, ROOT).replace(os.sep, "/")


def _wheel(wheel_directory, files):
    dist_info = "%s-%s.dist-info" % (NAME, VERSION)
    name = "%s-%s-py3-none-any.whl" % (NAME, VERSION)
    records = []
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w", zipfile.ZIP_DEFLATED) as z:
        def add(arcname, data):
            z.writestr(arcname, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            records.append("%s,sha256=%s,%d" % (arcname, digest, len(data)))
        for arcname, data in files:
            add(arcname, data)
        add(dist_info + "/METADATA", METADATA.encode())
        add(dist_info + "/WHEEL", WHEEL.encode())
        records.append(dist_info + "/RECORD,,")
        z.writestr(dist_info + "/RECORD", "\n".join(records) + "\n")
    return name


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    files = []
    for full, rel in _sources():
        with open(full, "rb") as f:
            files.append((rel, f.read()))
    return _wheel(wheel_directory, files)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, [("tdlab_editable.pth", (ROOT + "\n").encode())])


def build_sdist(sdist_directory, config_settings=None):
    base = "%s-%s" % (NAME, VERSION)
    name = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as t:
        for rel in ["pyproject.toml", "README.md", "_build/tdlab_build.py"] + [r for _, r in _sources()]:
            if os.path.exists(os.path.join(ROOT, rel)):
                t.add(os.path.join(ROOT, rel), arcname=base + "/" + rel)
        info = tarfile.TarInfo(base + "/PKG-INFO")
        data = METADATA.encode()
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    return name
