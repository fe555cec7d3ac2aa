"""Data: import an export by upload (the same import as `python -m servicequality import`),
and see the last imports and the rows they rejected.

The import runs in a separate process: it writes a new database file beside the current one
and renames it into place, so this dashboard keeps answering and shows the new data once the
import has committed. This page reads the import tables through store.connect_read_only, which
opens the file as it is now, even when it holds no data yet.
"""

import tempfile
from contextlib import closing
from pathlib import Path

import streamlit as st

from servicequality import ingest, store, ui
from servicequality.access import audit
from servicequality.access.roles import AUDIT, IMPORT
from servicequality.charts import data as charts_data
from servicequality.ingest.mapping import TARGETS, MappingError
from servicequality.ingest.mapping import load as load_mapping
from servicequality.ingest.upload import import_in_subprocess, progress_bar
from servicequality.metrics.formats import plain
from servicequality.ui import session

UPLOAD_TYPES = ["csv", "txt", "tsv", "xlsx", "xls", "parquet"]

st.title("Data")
if not session.may(IMPORT):  # not in this role's navigation; a typed URL ends here too
    st.info("Imports and their history are for data stewards.")
    st.stop()
database = store.database_path()
# its name only: a server path tells a visitor nothing they need
st.caption(
    f"Database: {plain(database.name)}. Imports add to it; the previous version stays intact until an import commits."
)


def shipped_mappings(target: str) -> dict[str, Path]:
    """Shipped mapping files for this target, by file name (a broken one is left out)."""
    found = {}
    for path in sorted(ingest.MAPPINGS_DIR.glob("*.toml")):
        try:
            if load_mapping(path).target == target:
                found[path.name] = path
        except MappingError:
            continue
    return found


def last_imports() -> dict[str, str]:
    """target -> the mapping name of this store's newest import of it, newest target first (empty
    before the first import, or when the store cannot be read: the page says why further down)."""
    try:
        with closing(store.connect_read_only(database)) as con:
            runs = ingest.recent_runs(con)
    except store.StoreError:
        return {}
    if runs.empty:
        return {}
    return dict(runs.drop_duplicates("target")[["target", "mapping_name"]].itertuples(index=False))


def save_upload(upload, folder: Path) -> Path:
    # Only the base name of what the browser sent: no path components from the client.
    name = Path(upload.name).name or "upload"
    path = folder / name
    path.write_bytes(upload.getvalue())
    return path


st.header("Import a file")
# The store's own last import sets the defaults: a mapping named for another store's export is
# never offered first (the box opened on boston311.toml whatever the store held).
previous = last_imports()
newest = next(iter(previous), None)
left, right = st.columns(2)
with left:
    target = st.selectbox(
        "What the file holds",
        list(TARGETS),
        index=list(TARGETS).index(newest) if newest in TARGETS else 0,
        key="data_import_target",
        help="tickets, surveys, visits (identified customers' visits: the return rate), branches, customers-served "
        "(the denominator of complaint rates), targets (per channel and priority) or categories (the complaint "
        "taxonomy).",
    )
    upload = st.file_uploader("Export file", type=UPLOAD_TYPES, key="data_import_file")
with right:
    choices = shipped_mappings(target)
    own = "Upload my own mapping…"
    options = [*choices, own]
    last = next((name for name, path in choices.items() if load_mapping(path).name == previous.get(target)), None)
    chosen = st.selectbox(
        "Mapping",
        options,
        index=options.index(last) if last is not None else None,
        placeholder="Choose the mapping of the export's source",
        key=f"data_import_mapping_{target}",
        help="How the export's columns become the store's fields: see mappings/README.md. It opens on the "
        "mapping of this store's last import of this kind, when that was a shipped one.",
    )
    mapping_upload = (
        st.file_uploader("Mapping file (.toml)", type=["toml"], key="data_import_mapping_file")
        if chosen == own
        else None
    )

ready = upload is not None and chosen is not None and (chosen != own or mapping_upload is not None)
if st.button("Import", type="primary", disabled=not ready, key="data_import_go"):
    with tempfile.TemporaryDirectory(prefix="sq-upload-") as folder:
        folder = Path(folder)
        file_path = save_upload(upload, folder)
        mapping_path = save_upload(mapping_upload, folder) if chosen == own else choices[chosen]
        session.log("import", f"{target} from {file_path.name} (started)")
        bar = st.progress(0.0, text=f"Reading {file_path.name}… the dashboard keeps answering meanwhile.")
        outcome = import_in_subprocess(
            target, file_path, mapping_path, database, on_progress=lambda *p: bar.progress(*progress_bar(*p))
        )
        session.log("import", f"{target} from {file_path.name} ({'committed' if outcome[0] == 0 else 'failed'})")
        bar.empty()
    code, out, err = outcome
    if code == 0:
        st.success(out.replace("\n", "  \n"), icon=":material/check_circle:")
    else:
        # One line from the importer says what is wrong and how to fix it.
        st.warning(
            err.removeprefix("import: error: ") or "The import failed; the database is unchanged.",
            icon=":material/report:",
        )

if session.may(AUDIT):
    st.header("Audit log")
    events = audit.read(audit.audit_path(database), last=1_000)
    # The log records what is done in this dashboard; `python -m servicequality import` does not
    # pass through it, so the page must not claim no file was imported while it lists imports below.
    outside = "Imports from the command line are not in it: the store's own list of imports, below, holds every import."
    if events.empty:
        st.caption(
            "The audit log records reveals of personal data, row exports and imports made in this dashboard: "
            f"none yet. {outside}"
        )
    else:
        st.caption(
            "Reveals of personal data, row exports and imports made in this dashboard, newest first "
            f"(the last 1,000). {outside}"
        )
        ui.table(
            events,
            key="data_audit",
            filename="audit_log",
            column_config={
                "at": "When (UTC)",
                "who": "Who",
                "role": "Role",
                "action": "Action",
                "what": "What",
                "filters": "Filters",
            },
        )

st.header("What the store holds")
try:
    # Not ui.connection(): it refuses an empty store, and this page must work before the first import.
    # Each read opens and closes its own connection, so no path through st.stop() leaves one open.
    with closing(store.connect_read_only(database)) as con:
        counts = ingest.store_counts(con)
        runs = ingest.recent_runs(con)
except store.StoreError as exc:
    st.info(str(exc))
    st.stop()
ui.chart(charts_data.store_counts_chart(counts), key="data_store_counts", filename="store_rows_per_table")
held = counts.set_index("table")["rows"]
if held["customers_served"] == 0 and held["tickets"] > 0:  # a survey or visits store has no rate to miss
    st.caption(
        "No customers-served data: complaint rates per 1,000 served cannot be computed until it is "
        "imported (`import customers-served`)."
    )
if runs.empty:
    st.info(
        "No imports into this database yet: the data came from the demo generator. Import a file above, "
        "or from the command line: `python -m servicequality import tickets FILE --mapping MAPPING.toml`."
    )
    st.stop()

last = runs.iloc[0]
st.markdown(
    f"Last import: run {last['run_id']}, {last['target']} from **{ingest.safe_cell(last['file_name'])}** "
    f"({last['mapping_name']}): read {last['rows_read']:,}, stored {last['rows_stored']:,}, "
    f"rejected {last['rows_rejected']:,}."
)
st.header("Last imports")
runs_shown = runs.assign(
    file_name=runs["file_name"].map(ingest.safe_cell),
    mapping_name=runs["mapping_name"].map(ingest.safe_cell),
)
ui.table(
    runs_shown,
    filename="last_imports",
    column_config={
        "run_id": st.column_config.NumberColumn("Run", format="%d"),
        "finished_at": st.column_config.DatetimeColumn("Finished", format="YYYY-MM-DD HH:mm"),
        "target": "Holds",
        "file_name": "File",
        "mapping_name": "Mapping",
        "rows_read": st.column_config.NumberColumn("Read", format="localized"),
        "rows_stored": st.column_config.NumberColumn("Stored", format="localized"),
        "rows_rejected": st.column_config.NumberColumn("Rejected", format="localized"),
        "branches_created": st.column_config.NumberColumn("Branches created", format="localized"),
    },
    key="data_runs",
)
st.caption("Every row read is either stored or rejected: read = stored + rejected for each import.")

st.header("Rejected rows")
run_ids = runs["run_id"].tolist()
run_id = st.selectbox(
    "Import run",
    run_ids,
    format_func=lambda r: (
        f"Run {r}: {runs.loc[runs['run_id'] == r, 'file_name'].iloc[0]} "
        f"({int(runs.loc[runs['run_id'] == r, 'rows_rejected'].iloc[0]):,} rejected)"
    ),
    key="data_rejected_run",
)
with closing(store.connect_read_only(database)) as con:
    rejected = ingest.rejected_rows(con, int(run_id), limit=10_000)
if rejected.empty:
    st.info(f"Run {run_id} rejected no rows.")
else:
    # Formula-like text carries a leading quote here (and in the CSV) so no spreadsheet runs it.
    # A row rejected as a whole names no column or value: a dash, as other tables show a missing value.
    ui.table(
        rejected.drop(columns=["run_id"]).fillna({"column_name": "–", "value": "–"}),
        filename=f"rejected_run_{run_id}",
        column_config={
            "file_name": "File",
            "line": st.column_config.NumberColumn("Line", format="%d"),
            "column_name": "Column",
            "value": "Value",
            "reason": "Why",
            "row_json": "The whole row",
        },
        key="data_rejected_rows",
    )
    total = int(runs.loc[runs["run_id"] == run_id, "rows_rejected"].iloc[0])
    if total > len(rejected):
        st.caption(
            f"The first {len(rejected):,} of {total:,}; `python -m servicequality rejected --run {run_id} "
            "--csv rejected.csv` writes them all."
        )
