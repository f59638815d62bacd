"""Which column of which file is which canonical field: proposed, confirmed, saved, reused.

A mapping lists, per source table, its role (sales, products, stores, inventory or ignore), the
field each column fills ("sales.units"; a sales file may also fill "products.category" or
"stores.city" when the export is one flat file), constants for fields the file lacks, the date
order, and missing-value policies. Joins follow from the key columns and are listed for the user.
It is saved as JSON, which the CLI's --mapping takes and the Data page saves and reuses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dashboard.ingest.errors import ImportProblem
from dashboard.ingest.fields import BY_KEY, IGNORE, KEY_FIELDS, ROLES, fields_of, normalise
from dashboard.ingest.parse import DATE_ORDERS, parse_date, parse_number
from dashboard.ingest.table import RawTable

FORMAT = "toypulse-mapping/1"
POLICIES = ("drop", "unknown")  # or "fill:<value>"
SAMPLE_ROWS = 2000
NAME_HINTS = {
    "sales": ("sale", "order", "transaction", "invoice", "venta", "ticket"),
    "products": ("product", "item", "sku", "article", "catalog", "producto"),
    "stores": ("store", "shop", "branch", "location", "tienda", "sucursal"),
    "inventory": ("inventory", "stock", "inventario"),
}
FLAT_ROLES = {"sales": ("products", "stores")}  # a sales file may carry these attributes


@dataclass
class TableMapping:
    source: str
    role: str
    columns: dict[str, str]  # source column -> field key, "" when ignored
    constants: dict[str, str] = field(default_factory=dict)
    header: list[str] = field(default_factory=list)

    def field_columns(self) -> dict[str, str]:
        """field key -> source column (mapped columns only)."""
        return {key: col for col, key in self.columns.items() if key}

    def provides(self, key: str) -> bool:
        return key in self.field_columns() or key in self.constants


@dataclass
class Mapping:
    tables: list[TableMapping]
    date_order: str = "auto"
    missing: dict[str, str] = field(default_factory=dict)
    currency: str = "auto"  # or an ISO code; "auto" reads it from the amounts
    drop_duplicates: bool = False  # exact duplicate lines (no line id) are kept unless True
    decimal_marks: dict[str, str] = field(default_factory=dict)  # column -> "," or "."
    constants: dict[str, str] = field(default_factory=dict)  # field -> value for every row

    def table(self, source: str) -> TableMapping:
        for t in self.tables:
            if t.source == source:
                return t
        raise KeyError(source)

    def by_role(self, role: str) -> list[TableMapping]:
        return [t for t in self.tables if t.role == role]

    def provides(self, key: str) -> bool:
        return any(t.provides(key) for t in self.tables)

    def policy(self, key: str) -> str:
        return self.missing.get(key) or BY_KEY[key].missing

    def joins(self) -> list[dict]:
        """Key columns that link files: sales.csv Product_ID -> products.csv Product_ID."""
        out = []
        for role, key in KEY_FIELDS.items():
            targets = [(t, t.field_columns().get(f"{role}.{key}")) for t in self.by_role(role)]
            for left in [*self.by_role("sales"), *self.by_role("inventory")]:
                column = left.field_columns().get(f"{left.role}.{key}")
                for target, target_column in targets:
                    if column and target_column:
                        out.append({"from": left.source, "from_column": column,
                                    "to": target.source, "to_column": target_column,
                                    "key": key})
        return out

    def to_dict(self) -> dict:
        return {
            "format": FORMAT,
            "date_order": self.date_order,
            "currency": self.currency,
            "duplicates": "drop" if self.drop_duplicates else "keep",
            "missing": dict(sorted(self.missing.items())),
            "decimal_marks": dict(sorted(self.decimal_marks.items())),
            "constants": dict(sorted(self.constants.items())),
            "tables": [{"source": t.source, "role": t.role, "columns": t.columns,
                        "constants": t.constants, "header": t.header} for t in self.tables],
            "joins": self.joins(),
        }

    @classmethod
    def from_dict(cls, data: dict, name: str = "mapping") -> Mapping:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ImportProblem(f"not a ToyPulse mapping (expected \"format\": \"{FORMAT}\")",
                                file=name)
        try:
            tables = [TableMapping(str(t["source"]), str(t["role"]),
                                   {str(k): str(v or "") for k, v in t["columns"].items()},
                                   {str(k): str(v) for k, v in (t.get("constants") or {}).items()},
                                   [str(h) for h in t.get("header") or t["columns"]])
                      for t in data["tables"]]
        except (KeyError, TypeError, AttributeError) as exc:
            raise ImportProblem(f"the mapping file is incomplete ({exc!r} missing or wrong)",
                                file=name) from exc
        duplicates = str(data.get("duplicates", "keep"))
        if duplicates not in ("keep", "drop"):
            raise ImportProblem("\"duplicates\" must be keep or drop", file=name,
                                value=duplicates)
        marks = {str(k): str(v) for k, v in (data.get("decimal_marks") or {}).items()}
        for column, mark in marks.items():
            if mark not in (",", "."):
                raise ImportProblem("a decimal mark must be \",\" or \".\"", file=name,
                                    column=column, value=mark)
        return cls(tables, str(data.get("date_order", "auto")),
                   {str(k): str(v) for k, v in (data.get("missing") or {}).items()},
                   str(data.get("currency") or "auto"), duplicates == "drop", marks,
                   {str(k): str(v) for k, v in (data.get("constants") or {}).items()})

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Mapping:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ImportProblem("mapping file not found", file=str(path)) from exc
        except json.JSONDecodeError as exc:
            raise ImportProblem(f"the mapping file is not valid JSON ({exc.msg})",
                                file=str(path), row=exc.lineno) from exc
        return cls.from_dict(data, str(path))


# ---- Proposals ---------------------------------------------------------------------------


def propose(tables: list[RawTable], saved: Mapping | None = None) -> Mapping:
    """A mapping for these tables: the saved one where it fits (same name or same header),
    otherwise proposed from column names and contents."""
    out = []
    for table in tables:
        reused = _reuse(table, saved) if saved is not None else None
        out.append(reused or propose_table(table))
    if saved is None:
        return Mapping(out)
    for tm in out:
        _set_constants(tm, saved.constants)
    return Mapping(out, saved.date_order, dict(saved.missing), saved.currency,
                   saved.drop_duplicates, dict(saved.decimal_marks), dict(saved.constants))


def _set_constants(tm: TableMapping, constants: dict[str, str]) -> None:
    """`--constant FIELD=VALUE`: the field holds VALUE on every row of each file that can fill
    it; a column proposed for that field is then left unused (the flag says otherwise)."""
    allowed = {tm.role, *FLAT_ROLES.get(tm.role, ())}
    for key, value in constants.items():
        if key in BY_KEY and BY_KEY[key].role in allowed:
            tm.columns = {c: ("" if k == key else k) for c, k in tm.columns.items()}
            tm.constants[key] = value


def _reuse(table: RawTable, saved: Mapping) -> TableMapping | None:
    for candidate in saved.tables:
        same_name = candidate.source == table.name
        same_header = sorted(candidate.header) == sorted(table.columns)
        if same_name or same_header:
            columns = {c: candidate.columns.get(c, "") for c in table.columns}
            return TableMapping(table.name, candidate.role, columns, dict(candidate.constants),
                                table.columns)
    return None


def propose_table(table: RawTable) -> TableMapping:
    sample = table.frame.head(SAMPLE_ROWS)
    scores = {role: _role_score(table, role) for role in ROLES}
    role = max(ROLES, key=lambda r: scores[r])
    if scores[role] <= 0:
        return TableMapping(table.name, IGNORE, {c: "" for c in table.columns}, {},
                            table.columns)
    columns = _propose_columns(table.columns, sample, role)
    return TableMapping(table.name, role, columns, {}, table.columns)


def _role_score(table: RawTable, role: str) -> float:
    names = [normalise(c) for c in table.columns]
    synonyms = {s for f in fields_of(role) for s in f.synonyms}
    score = sum(1.0 for n in names if n in synonyms)
    stem = normalise(Path(table.name).stem)
    if any(h in stem for h in NAME_HINTS[role]):
        score += 2.5
    anchors = {"sales": ("date", "units", "revenue"), "products": ("name", "unit_price"),
               "stores": ("name", "city"), "inventory": ("stock_on_hand",)}[role]
    matched = {_match(n, role) for n in names}
    if not any(f"{role}.{a}" in matched for a in anchors):
        score -= 3
    return score


def _match(name: str, role: str) -> str | None:
    """The field of `role` a normalised column name means, by synonym (earlier = stronger)."""
    prefix = {"products": "product ", "stores": "store "}.get(role)
    candidates = [name]
    if prefix and name.startswith(prefix):
        candidates.append(name[len(prefix):])
    for candidate in candidates:
        for f in fields_of(role):
            if candidate in f.synonyms:
                return f.key
    return None


def _propose_columns(columns: list[str], sample: pd.DataFrame, role: str) -> dict[str, str]:
    proposal: dict[str, str] = {}
    used: set[str] = set()
    for column in columns:
        name = normalise(column)
        key = _match(name, role)
        if key is None:
            for other in FLAT_ROLES.get(role, ()):
                key = _match(name, other)
                if key and key.endswith((".product_id", ".store_id")):
                    key = None  # the sales table's own key fields cover these
                if key:
                    break
        if key and key not in used and _content_fits(sample[column], BY_KEY[key].kind):
            proposal[column] = key
            used.add(key)
        else:
            proposal[column] = ""
    for column in columns:  # contents only: an unnamed date column in a sales file
        if proposal[column] or f"{role}.date" not in BY_KEY or f"{role}.date" in used:
            continue
        if _content_fits(sample[column], "date", threshold=0.95):
            proposal[column] = f"{role}.date"
            used.add(f"{role}.date")
    return proposal


def _content_fits(values: pd.Series, kind: str, threshold: float = 0.8) -> bool:
    present = values[values.str.strip() != ""].str.strip()
    if present.empty or kind in ("id", "text", "category"):
        return True
    if kind == "date":  # a date in either order counts: the order is decided later
        day, month = (parse_date(present, order, ("", "")).bad
                      for order in ("day_first", "month_first"))
        return (~(day & month)).mean() >= threshold
    parsed = parse_number(present, percent=kind == "percent")
    return (~parsed.bad).mean() >= threshold


# ---- Validation --------------------------------------------------------------------------


def validate(mapping: Mapping, tables: list[RawTable]) -> None:
    """Refuse a mapping that cannot produce sales with a date and revenue, with the reason."""
    if mapping.date_order not in DATE_ORDERS:
        raise ImportProblem(f"date_order must be one of {', '.join(DATE_ORDERS)}",
                            file="mapping", value=mapping.date_order)
    by_name = {t.name: t for t in tables}
    for tm in mapping.tables:
        if tm.source not in by_name:
            continue
        if tm.role not in (*ROLES, IGNORE):
            raise ImportProblem(f"unknown role; use one of {', '.join((*ROLES, IGNORE))}",
                                file=tm.source, value=tm.role)
        if tm.role == IGNORE:
            continue
        allowed = {tm.role, *FLAT_ROLES.get(tm.role, ())}
        seen: dict[str, str] = {}
        for column, key in tm.columns.items():
            if not key:
                continue
            if column not in by_name[tm.source].columns:
                raise ImportProblem("the mapping names a column this file does not have",
                                    file=tm.source, column=column)
            if key not in BY_KEY or BY_KEY[key].role not in allowed:
                raise ImportProblem(f"{key!r} is not a field a {tm.role} file can fill",
                                    file=tm.source, column=column, value=key)
            if key in seen:
                raise ImportProblem(f"two columns are mapped to {key} ({seen[key]!r} and "
                                    f"{column!r}); map one of them", file=tm.source,
                                    column=column, value=key)
            seen[key] = column
        for key in tm.constants:
            if key not in BY_KEY:
                raise ImportProblem("a constant for an unknown field", file=tm.source,
                                    value=key)
    for key in mapping.constants:
        if key not in BY_KEY:
            raise ImportProblem(f"--constant names an unknown field; known: {', '.join(BY_KEY)}",
                                file="mapping", value=key)
    for key, policy in mapping.missing.items():
        if key not in BY_KEY or not (policy in POLICIES or policy.startswith("fill:")):
            raise ImportProblem("missing-value policy must be drop, unknown or fill:<value> "
                                "for a known field", file="mapping", column=key, value=policy)
    active = [t for t in mapping.tables if t.source in by_name]
    sales = [t for t in active if t.role == "sales"]
    if not sales:
        seen = "; ".join(f"{t.source}: {', '.join(t.header[:8])}"
                         + (" …" if len(t.header) > 8 else "") for t in active)
        raise ImportProblem("no file is mapped as sales (one row per sale line with a date and "
                            "units or revenue): no column name was recognised as a sale date, "
                            f"units or revenue ({seen}); map the columns on the Data page or "
                            "with --mapping (--save-mapping writes one to edit)")
    for t in sales:
        has = t.provides
        if not has("sales.date"):
            raise ImportProblem("no column is mapped to the sale date", file=t.source)
        if not (has("sales.units") or has("sales.revenue")):
            raise ImportProblem("no column is mapped to units or revenue", file=t.source)
        price = (has("sales.unit_price") or has("products.unit_price")
                 or any(p.provides("products.unit_price") for p in active
                        if p.role == "products"))
        if not has("sales.revenue") and not (has("sales.units") and price):
            raise ImportProblem("revenue cannot be derived: map a revenue column, or units and "
                                "a unit price (in this file or a products file)", file=t.source)
