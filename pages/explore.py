"""Explore: any measure by one or two dimensions, as a chart and a pivot table, each cell with its
n (survey cells below the minimum suppressed), and a way down to the rows behind a cell.

The measure and dimensions live in the URL (explore_measure, dim1, dim2; `measure` belongs to the
consistency page), so a copied link reopens the view."""

import streamlit as st

from servicequality import ui
from servicequality.charts import explore as charts_explore
from servicequality.metrics import drilldown, explore, performance
from servicequality.metrics.formats import branch_labels

filters = ui.current_filters()

st.title("Explore")
st.caption(filters.describe())
if sentence := performance.store_model_sentence(ui.query("store_contents")):
    st.caption(sentence)

# The URL keeps labels ('Region'); say what a hand-edited or outdated link asked for that the page
# does not know before the boxes fall back to their defaults.
labels = {
    "explore_measure": explore.measure_labels(),
    "dim1": explore.dimension_labels(),
    "dim2": explore.dimension_labels(with_none=True),
}
for message in explore.link_messages({key: st.query_params.get(key) for key in labels}):
    st.warning(f"The link asked for something this page does not know. {message}", icon=":material/link_off:")

# The view is in the URL (labels) and remembered for the session, so the browser's Back from the
# rows page, or a return through the navigation, shows it again.
opening_measure = explore.default_measure(ui.query("store_contents"))
defaults = {
    "explore_measure": opening_measure,
    "dim1": explore.default_dimension(ui.query("filter_branches"), ui.query("filter_values"), opening_measure),
    "dim2": explore.NO_DIMENSION,
}
ui.view_from_url(labels, defaults, "explore_view")
# Without a view from the link or the session, open on a measure the store has data for, by a
# dimension with more than one value.
st.session_state.setdefault("explore_measure", defaults["explore_measure"])
st.session_state.setdefault("dim1", defaults["dim1"])

columns = st.columns(3)
with columns[0]:
    measure = st.selectbox(
        "Measure",
        list(labels["explore_measure"]),
        format_func=labels["explore_measure"].get,
        key="explore_measure",
    )
with columns[1]:
    dim1 = st.selectbox("By", list(labels["dim1"]), format_func=labels["dim1"].get, key="dim1")
with columns[2]:
    dim2 = st.selectbox("And by (optional)", list(labels["dim2"]), format_func=labels["dim2"].get, key="dim2")

ui.write_view_to_url(labels, defaults, "explore_view")
choice = explore.resolve(measure, dim1, dim2)
for message in choice.messages:
    st.info(message)
if choice.problem:
    st.warning(choice.problem, icon=":material/block:")
    st.stop()

m = explore.MEASURES[choice.measure]
if m.source in ("praise", "returns") and (filters.categories or filters.components):
    what = "Compliments" if m.source == "praise" else "Visits"
    st.info(
        f"{what} have no complaint category or component: {m.label.lower()} is not shown under a category or "
        "component filter (clear it in the sidebar)."
    )
    st.stop()
branches = ui.query("filter_branches")
values = ui.query("filter_values")
components = values[values["dimension"] == "component"]
names = {
    "branch": dict(zip(branches["branch_id"], branch_labels(branches))),
    "component": dict(zip(components["value"], components["label"])),
}
cells = explore.cells(ui.query, filters, choice, names)
if cells.empty:
    # Widening helps only if the widest filter has some (the CFPB's resolution times: never)
    bounds = ui.data_bounds()
    anywhere = bounds is not None and not explore.cells(ui.query, filters.widest(*bounds), choice, names).empty
    if anywhere:
        st.info(
            f"Nothing to show: no {m.none_words} in this period and filter. Widen the period or the filters in the "
            "sidebar."
        )
    else:
        probes = {**ui.query("store_contents").iloc[0].to_dict(), **ui.query("survey_questions").iloc[0].to_dict()}
        if bounds is not None:
            probes |= ui.query("recorded_fields", start=bounds[0], end=bounds[1]).iloc[0].to_dict()
        st.info(explore.never_words(choice.measure, probes))
    st.stop()

if no_category := explore.no_category_words(cells, choice):
    st.info(no_category)
    st.stop()

if choice.measure == "complaint_rate" and not (cells["extra"].fillna(0) > 0).any():
    st.info(
        f"{int(cells['n'].sum()):,} complaints, but no customers served recorded for this period and filter: no "
        "rate per 1,000 to compute. Import customers served (Data page) or choose the complaint count."
    )
    st.stop()

selectable = choice.dim1 in explore.CROSS_FILTERABLE
figure = charts_explore.explore_chart(cells, choice)
heatmap = figure.data[0].type == "heatmap"
ui.chart(
    figure,
    key="explore_chart",
    select=ui.CrossFilter(choice.dim1, "customdata:0") if selectable else None,
    # a heatmap has cells, not the bars and points of the usual hint
    hint=f"Click a cell to filter the dashboard by its {explore.DIMENSIONS[choice.dim1].label.lower()}."
    if heatmap
    else None,
    filename=f"explore_{choice.measure}_by_{choice.dim1}" + (f"_and_{choice.dim2}" if choice.dim2 else ""),
    # two dimensions: a heatmap's numbers (or grouped bars) need more than a phone's width; it scrolls
    wide=choice.dim2 is not None,
)
suppressed = int(cells["suppressed"].sum())
if suppressed:
    st.caption(
        f"{suppressed:,} cell{'s' if suppressed > 1 else ''} with fewer than {filters.min_n} responses "
        f"{'are' if suppressed > 1 else 'is'} suppressed: "
        + (
            "left blank or marked ×, with their n in the hover and the pivot table."
            if choice.dim2 or charts_explore.crosses_drawn(cells)
            else "left out of the chart (too many to mark), with their n in the pivot table."
        )
    )
if choice.measure == "csat" and (note := explore.csat_note(ui.query, filters, int(cells["n"].sum()))):
    st.caption(note)
left_out = []
if suppressed:
    left_out.append(
        f"{suppressed} cell{'s' if suppressed > 1 else ''} with fewer than {filters.min_n} responses "
        "(suppressed: their n is shown, never their value; change the minimum in the sidebar)"
    )
if choice.measure == "complaint_rate" and (cells["extra"].fillna(0) == 0).any():
    left_out.append("cells without customers served recorded have no rate")
ui.how_computed(
    f"{m.formula} 95% interval: {m.interval}.",
    filters,
    f"{int(cells['n'].sum()):,} {m.n_words} in {len(cells):,} cells",
    left_out,
)

st.subheader("Pivot table")
st.caption(
    "Every cell with its n."
    + (f" Cells with fewer {m.n_words} than the minimum show their n only." if m.survey else "")
)
stem = f"explore_{choice.measure}_{choice.dim1}" + (f"_{choice.dim2}" if choice.dim2 else "")
if choice.dim2:
    ui.table(explore.wide_table(cells, choice), key="explore_pivot", filename=f"{stem}_pivot")
ui.table(
    explore.long_table(cells, choice),
    key="explore_cells",
    filename=f"{stem}_cells",
    formats=explore.long_table_formats(choice),
)

st.subheader("Rows behind a number")
labels = {
    i: " · ".join(x for x in (row["label1"], row["label2"]) if x) + f" (n = {int(row['n']):,})"
    for i, row in cells.iterrows()
}
# One box per view: the cell chosen under another measure or dimension is not carried over.
# It opens on the largest cell, not the first by name (the CFPB's "Advertising (n = 3)").
picked = st.selectbox(
    "Cell",
    list(labels),
    index=list(labels).index(cells["n"].idxmax()),
    format_func=labels.get,
    key=f"explore_rows_cell_{stem}",
)
row = cells.loc[picked]
cell = {choice.dim1: row["key1"]}
if choice.dim2:
    cell[choice.dim2] = row["key2"]
kind_words = "survey responses" if m.rows == "responses" else "complaints"
if not m.rows:
    st.caption(
        "Identified customers' visits are not listed row by row: a customer's key is never shown. The counts "
        "behind each cell are in the table above."
    )
else:
    # one under the other: side by side, a long cell name was cut ("... Commission (n = 1")
    drilldown.rows_link(m.rows, f"Show the {kind_words} behind {labels[picked]}", **cell)
    drilldown.rows_link(m.rows, f"Show every {kind_words[:-1]} behind this chart")
