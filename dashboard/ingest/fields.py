"""The canonical fields an import can fill, what kind of value each holds, and its usual names.

Names are compared after normalising (lower case, punctuation to spaces), so "Product_Price",
"product price" and "PRODUCT-PRICE" are one name. Synonyms cover common ERP and Spanish exports;
anything else is mapped by the user once and saved.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

ROLES = ("sales", "products", "stores", "inventory")
IGNORE = "ignore"


@dataclass(frozen=True)
class Field:
    role: str
    name: str
    kind: str  # id, text, category, date, number, money, percent, float
    synonyms: tuple[str, ...]
    missing: str  # default policy: drop, unknown, or fill:<value>
    label: str = ""
    limit: float | None = None  # largest believable size of a value; None: the kind's

    @property
    def key(self) -> str:
        return f"{self.role}.{self.name}"

    @property
    def bound(self) -> float | None:
        """Values beyond ± this are a broken export, not a sale (1e308 units, int64 overflow)."""
        return self.limit if self.limit is not None else LIMITS.get(self.kind)


# A billion units on one line or a trillion in one amount is a broken cell, never a sale; a
# discount beyond 100% is a typo. Values past these are rejected with their row, not stored.
LIMITS = {"number": 1e9, "money": 1e12, "percent": 1.0}


def _f(role, name, kind, synonyms, missing="unknown", label="", limit=None):
    return Field(role, name, kind, tuple(synonyms), missing, label or name.replace("_", " "),
                 limit)


FIELDS: tuple[Field, ...] = (
    # sales: one row per order line
    _f("sales", "sale_id", "id", ["sale id", "sales id", "line id", "sale line id", "row id",
                                  "transaction line id", "id venta"]),
    _f("sales", "order_id", "id", ["order id", "order", "order number", "order no", "invoice",
                                   "invoice id", "invoice number", "invoice no", "receipt",
                                   "receipt id", "transaction id", "ticket", "pedido"]),
    _f("sales", "date", "date", ["date", "sale date", "sales date", "order date",
                                 "transaction date", "invoice date", "day", "fecha", "datum",
                                 "verkaufsdatum", "belegdatum"], "drop"),
    _f("sales", "store_id", "id", ["store id", "store", "shop id", "branch id", "store code",
                                   "location id", "tienda id", "id tienda"], "drop"),
    _f("sales", "product_id", "id", ["product id", "product", "sku", "item id", "item",
                                     "product code", "article", "item code", "producto id",
                                     "id producto", "artikel", "artikelnummer"], "drop"),
    _f("sales", "customer_id", "id", ["customer id", "customer", "client id", "cliente id"]),
    _f("sales", "employee_id", "id", ["employee id", "employee", "salesperson id", "staff id"]),
    _f("sales", "channel", "category", ["channel", "sales channel", "canal"]),
    _f("sales", "units", "number", ["units", "unit", "quantity", "qty", "units sold",
                                    "quantity sold", "cantidad", "unidades", "pieces", "menge",
                                    "anzahl"], "drop"),
    _f("sales", "unit_price", "money", ["unit price", "price", "sale price", "selling price",
                                        "precio", "precio unitario"], "drop"),
    _f("sales", "discount", "percent", ["discount", "discount pct", "discount percent",
                                        "descuento"], "fill:0"),
    _f("sales", "revenue", "money", ["revenue", "sales", "amount", "sales amount", "net sales",
                                     "line total", "total", "total sales", "importe", "venta",
                                     "umsatz", "betrag", "nettoumsatz"],
       "drop"),
    _f("sales", "cost", "money", ["cost", "total cost", "cogs", "line cost", "costo"]),
    _f("sales", "customer_gender", "category", ["gender", "customer gender", "sex", "genero"]),
    _f("sales", "customer_age_group", "category", ["age group", "customer age group", "age",
                                                   "age band", "age range", "edad"]),
    _f("sales", "festival", "category", ["festival", "holiday", "event", "promotion",
                                         "festividad"]),
    # what a flat export carries on each line (optional; a line's own value wins over a
    # products/stores table, which only fills what the file lacks)
    _f("sales", "ship_date", "date", ["ship date", "shipping date", "shipped date",
                                      "delivery date", "fecha envio", "fecha de envio"]),
    _f("sales", "ship_mode", "category", ["ship mode", "shipping mode", "shipping method",
                                          "ship via", "delivery method", "modo envio"]),
    _f("sales", "customer_name", "text", ["customer name", "client name", "nombre cliente"]),
    _f("sales", "segment", "category", ["segment", "customer segment", "segmento"]),
    _f("sales", "country", "category", ["country", "country region", "pais"]),
    _f("sales", "region", "category", ["region", "sales region", "territory", "zone"]),
    _f("sales", "state", "category", ["state", "province", "state province", "estado"]),
    _f("sales", "city", "category", ["city", "town", "customer city", "ship city", "ciudad"]),
    _f("sales", "postal_code", "id", ["postal code", "zip", "zip code", "postcode",
                                      "post code", "codigo postal"]),
    _f("sales", "product_name", "text", ["product name", "item name", "product description",
                                         "nombre producto", "producto"]),
    _f("sales", "category", "category", ["category", "product category", "categoria",
                                         "department"]),
    _f("sales", "subcategory", "category", ["subcategory", "sub category", "product type",
                                            "toy type", "product subcategory",
                                            "subcategoria"]),
    _f("sales", "profit", "money", ["profit", "gross profit", "line profit", "ganancia",
                                    "utilidad"]),
    _f("sales", "returned", "category", ["returned", "is return", "return flag", "devuelto"]),
    # products
    _f("products", "product_id", "id", ["product id", "id", "sku", "item id", "product code",
                                        "item code", "producto id"], "drop"),
    _f("products", "name", "text", ["product name", "name", "product", "item name",
                                     "description", "item", "nombre", "producto",
                                     "nombre producto"]),
    _f("products", "category", "category", ["product category", "category", "categoria",
                                            "department"]),
    _f("products", "subcategory", "category", ["subcategory", "sub category", "product type",
                                               "toy type", "type", "subcategoria"]),
    _f("products", "target_age_group", "category", ["target age group", "age group",
                                                    "target age", "age range", "ages"]),
    _f("products", "brand", "category", ["brand", "manufacturer", "marca"]),
    _f("products", "unit_cost", "money", ["product cost", "unit cost", "cost", "costo"], "drop"),
    _f("products", "unit_price", "money", ["product price", "unit price", "price", "list price",
                                           "retail price", "precio"], "drop"),
    # stores
    _f("stores", "store_id", "id", ["store id", "id", "store code", "shop id", "branch id",
                                    "location id"], "drop"),
    _f("stores", "name", "text", ["store name", "name", "store", "shop name", "branch", "tienda",
                                  "sucursal"]),
    _f("stores", "city", "category", ["store city", "city", "ciudad", "town"]),
    _f("stores", "state", "category", ["store state", "state", "province", "estado"]),
    _f("stores", "region", "category", ["store region", "region", "territory", "zone"]),
    _f("stores", "location_type", "category", ["store location", "location type", "location",
                                               "store type", "format"]),
    _f("stores", "latitude", "float", ["latitude", "lat"], limit=90),
    _f("stores", "longitude", "float", ["longitude", "lon", "lng", "long"], limit=180),
    _f("stores", "open_date", "date", ["store open date", "open date", "opened", "opening date"]),
    # inventory snapshots
    _f("inventory", "store_id", "id", ["store id", "store"], "drop"),
    _f("inventory", "product_id", "id", ["product id", "product", "sku"], "drop"),
    _f("inventory", "stock_on_hand", "number", ["stock on hand", "stock", "on hand",
                                                "quantity on hand", "inventory", "qty on hand"]),
    _f("inventory", "as_of", "date", ["as of", "snapshot date", "date"]),
)

BY_KEY: dict[str, Field] = {f.key: f for f in FIELDS}
KEY_FIELDS = {"products": "product_id", "stores": "store_id"}


def fields_of(role: str) -> tuple[Field, ...]:
    return tuple(f for f in FIELDS if f.role == role)


def normalise(name: str) -> str:
    """'Product_Price ' -> 'product price'; camelCase is split too; accents are folded, so
    'Región' and 'Categoría' match 'region' and 'categoria'."""
    folded = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", folded)
    return " ".join(re.sub(r"[^0-9a-z]+", " ", spaced.lower()).split())


def field(key: str) -> Field:
    try:
        return BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown field {key!r}; known: {', '.join(BY_KEY)}") from None
