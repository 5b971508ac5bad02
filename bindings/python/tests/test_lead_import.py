"""dialer.import_leads: CSV lead import from Python, from a path or a file object."""

import io
import json
import pathlib
import threading

import pytest

import dialer
from dialer import testing

DATA = pathlib.Path(__file__).resolve().parents[3] / "tests" / "data" / "import"
CAMPAIGN = 7


def options(**kw) -> dialer.ImportOptions:
    o = dialer.ImportOptions(campaign=CAMPAIGN, threads=1, **kw)
    o.plan = dialer.NumberPlan(region="US", allowed_regions=["GB"])
    return o


def test_a_path_imports_with_mapped_columns_and_reports_counts():
    store = testing.MemoryStore()
    o = options(columns=dialer.ImportColumns(time_zone="Time Zone", priority="Priority",
                                             external_id="Vendor Code"))
    report = dialer.import_leads(store, DATA / "basic.csv", o)
    assert (report.rows_read, report.imported, report.bad_rows) == (3, 3, 0)
    lead = store.find_lead_by_phone("4155550100", CAMPAIGN)
    assert lead.phone.e164 == "+14155550100"
    assert lead.priority == 5
    assert lead.fields == [("First Name", "Ada"), ("Last Name", "Lovelace"), ("external_id", "V-1")]
    assert store.find_lead_by_phone("2079460000", CAMPAIGN).time_zone == "Europe/London"
    assert report.stopped is None


def test_a_binary_or_text_file_object_reads_like_a_path():
    csv = "phone,name\n4155550100,Zoë\n1-800-FLOWERS,vanity\n"
    for source in (io.BytesIO(csv.encode()), io.StringIO(csv)):
        store = testing.MemoryStore()
        report = dialer.import_leads(store, source, options())
        assert report.imported == 1
        assert report.bad[0].line == 3
        assert report.bad[0].problem == dialer.RowProblem.bad_number
        assert report.bad[0].rule == "number_invalid_character"
        assert store.find_lead(1).field("name") == "Zoë"


def test_reimporting_updates_instead_of_adding():
    store = testing.MemoryStore()
    first = dialer.import_leads(store, str(DATA / "hostile.csv"), options())
    second = dialer.import_leads(store, str(DATA / "hostile.csv"), options())
    assert first.imported == 3
    assert (second.imported, second.updated) == (0, 3)
    assert [m.updated for m in second.existing] == [True, True, True]


def test_hostile_rows_are_reported_by_line_while_good_rows_load():
    store = testing.MemoryStore()
    report = dialer.import_leads(store, DATA / "hostile.csv", options())
    assert {b.line: str(b.problem) for b in report.bad} == {
        5: "bad_number", 6: "wrong_column_count", 8: "unterminated_quote"}
    assert [(f.line, f.column) for f in report.formulas] == [(2, "name")]
    assert store.find_lead_by_phone("4155550103", CAMPAIGN).field("name") == \
        "Robert'); DROP TABLE leads;--"
    doc = json.loads(report.to_json())
    assert doc["bad_rows"] == 3 and doc["bad"][0]["line"] == 5


def test_utf16_input_raises_invalid_argument():
    with pytest.raises(dialer.InvalidArgument, match="UTF-16"):
        dialer.import_leads(testing.MemoryStore(), DATA / "utf16_bom.csv", options())


def test_a_missing_file_raises_not_found():
    with pytest.raises(dialer.NotFound):
        dialer.import_leads(testing.MemoryStore(), DATA / "no_such.csv", options())


def test_progress_is_called_with_rows_and_bytes():
    csv = "phone\n" + "".join(f"+1415555{i:04d}\n" for i in range(250))
    seen = []
    o = options(batch_size=100, progress=seen.append)
    dialer.import_leads(testing.MemoryStore(), io.BytesIO(csv.encode()), o)
    assert [p.rows_read for p in seen] == [100, 200, 250]
    assert seen[-1].bytes_read == len(csv)


def test_a_python_store_receives_the_batches():
    class ListStore(dialer.LeadStore):
        def __init__(self):
            super().__init__()
            self.leads = []

        def find_lead_by_phone(self, last_ten, campaign):
            return None

        def add_leads(self, leads, now):
            self.leads.extend(leads)
            return list(range(len(self.leads) - len(leads) + 1, len(self.leads) + 1))

    store = ListStore()
    report = dialer.import_leads(store, io.BytesIO(b"phone\n4155550100\n4155550101\n"),
                                 options())
    assert report.imported == 2
    assert [lead.phone.e164 for lead in store.leads] == ["+14155550100", "+14155550101"]


def test_a_store_failure_stops_the_import_and_is_reported():
    store = testing.MemoryStore()
    store.fail_nth(testing.StoreOp.add_leads, 1, dialer.Error("storage_error", "disk full"))
    report = dialer.import_leads(store, io.BytesIO(b"phone\n4155550100\n"), options())
    assert report.stopped is not None
    assert report.stopped.code == "storage_error"
    assert "disk full" in report.stopped.detail
    assert report.imported == 0


def test_a_file_object_that_raises_reraises_its_exception():
    class Broken(io.RawIOBase):
        def read(self, n=-1):
            raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        dialer.import_leads(testing.MemoryStore(), Broken(), options())


def test_the_gil_is_released_while_importing():
    csv = ("phone\n" + "".join(f"+1415{200 + i // 10000}{i % 10000:04d}\n"
                                for i in range(3000))).encode()
    ticks = []
    done = threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(1)
            done.wait(0.001)

    t = threading.Thread(target=tick)
    t.start()
    try:
        dialer.import_leads(testing.MemoryStore(), io.BytesIO(csv), options())
    finally:
        done.set()
        t.join()
    assert len(ticks) > 1


def test_a_time_zone_map_places_nanp_numbers():
    tz_map = dialer.NumberTimeZoneMap.load(DATA / "nanp_time_zones.txt")
    assert len(tz_map) == 3
    assert tz_map.zones_for("+12085550100") == ["America/Boise", "America/Los_Angeles"]
    o = options()
    o.number_time_zones = tz_map
    store = testing.MemoryStore()
    dialer.import_leads(store, io.BytesIO(b"phone\n4155550100\n"), o)
    assert store.find_lead(1).time_zone == "America/Los_Angeles"
    assert dialer.canonical_time_zone("US/Eastern") == "America/New_York"
    assert dialer.canonical_time_zone("Nowhere/Land") is None
