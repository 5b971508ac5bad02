import shutil

import pytest

from dialerd_client import Server


@pytest.fixture(scope="module")
def server():
    s = Server().start()
    yield s
    s.stop()
    shutil.rmtree(s.data_dir, ignore_errors=True)
