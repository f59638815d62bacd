"""A deterministic synthetic toy retailer: dimension tables and chunked sales order lines.

The sample data has to look like a real toy chain in every chart (growth, weekends, a Q4 peak,
festival spikes, age and category affinities, regional differences), yet be reproducible:
everything is drawn from numpy generators seeded from `seed`, and Faker (seeded too) only names
products, brands, stores, cities and employees.

For the profit and loss page the sample also has: a ship date and ship mode per order (online
orders ship by SHIP_MODES with realistic day gaps and a few late ones, more in the Q4 rush; store
sales are "In store", shipped the day they are made), a segment per customer (Consumer /
Corporate / Home Office) on every line of the customer, and loss makers: deep clearance discounts
(DEEP_DISCOUNTS) on low-margin toys, and one sub-category (LOSS_SUBCATEGORY) bought so dear that
it loses money overall. These are drawn from their own generator streams, so adding them changed
no other column.

Sales are made in blocks of whole days, each block with its own generator, so the rows do not
depend on `chunk_rows`, and no order is ever split between two chunks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType as _ro  # read-only dicts, so constants stay constant
from typing import NamedTuple

import numpy as np
import pandas as pd
from faker import Faker

from dashboard.warehouse.calendar import NO_FESTIVAL, build_calendar
from dashboard.warehouse.parquet_files import write_dated_parquet

DEFAULT_START = dt.date(2023, 1, 1)
DEFAULT_END = dt.date(2025, 12, 31)
AGE_GROUPS = ("0-2", "3-5", "6-8", "9-12", "13+")
GENDERS = ("Female", "Male")
UNKNOWN = "Unknown"
CHANNELS = ("Store", "Online")
REGIONS = ("North", "South", "East", "West", "Central", "Northeast", "Southeast", "Northwest")
LOCATION_TYPES = ("Mall", "Downtown", "Suburban", "Airport", "Outlet")
DISCOUNTS = (0.0, 0.05, 0.1, 0.2, 0.3)
DEEP_DISCOUNTS = (0.4, 0.5)  # clearance on low-margin toys only: these lines lose money
ALL_DISCOUNTS = (*DISCOUNTS, *DEEP_DISCOUNTS)
LOW_MARGIN_RATIO = 0.6  # unit cost / unit price from which a toy is a clearance candidate
DEEP_DISCOUNT_P = 0.2  # share of a low-margin toy's lines sold at a deep discount...
CLEARANCE_DEEP_DISCOUNT_P = 0.55  # ...and in the post-Christmas clearance and on Black Friday
# A line bought dear and priced to compete: its cost is 80-92% of price, so with its deep
# discounts it loses money overall (the loss analysis has a real loser to show).
LOSS_SUBCATEGORY = "Drones & Robots"
LOSS_COST_RATIO = (0.80, 0.92)
COST_RATIO = (0.35, 0.65)  # every other toy

SEGMENTS = ("Consumer", "Corporate", "Home Office")
SEGMENT_P = (0.55, 0.28, 0.17)
IN_STORE = "In store"  # ship mode of a store sale: handed over the day it is made
SHIP_MODES = ("Same Day", "First Class", "Second Class", "Standard Class")
SHIP_MODE_P = (0.06, 0.17, 0.22, 0.55)  # online orders
SHIP_DAYS = ((0, 0), (1, 2), (2, 3), (3, 4))  # usual days from order to ship, per mode
LATE_P, PEAK_LATE_P = 0.04, 0.12  # orders shipped 2-6 days later than usual; more in the Q4 rush
LATE_DAYS = (2, 6)

N_CUSTOMERS = 50_000
N_EMPLOYEES = 400
PRODUCTS_PER_SUBCATEGORY = 6
ANNUAL_GROWTH = 0.12
# Revenue of the whole chain per month at the default size (1M order lines over 2023-2025);
# employee targets are shares of it, so attainment is near 100% only at about that size.
TARGET_CHAIN_MONTHLY_REVENUE = 1_200_000.0

ORDER_SIZE_P = (0.36, 0.27, 0.20, 0.10, 0.07)  # 1..5 lines per order
UNITS_P = (0.70, 0.20, 0.06, 0.025, 0.015)  # 1..5 units per line
UNKNOWN_ORDER_SHARE = 0.04  # orders whose customer gender and age are not recorded
VISITOR_SHARE = 0.10  # orders by a customer from another store's catchment
TARGET_MATCH_BOOST = 3.0  # product made for the customer's child's age group

# Generator streams: np.random.default_rng([seed, stream, ...]).
(_DIMS_STREAM, _SIZE_STREAM, _POPULARITY_STREAM, _DAYS_STREAM, _SALES_STREAM, _SEGMENT_STREAM,
 _EXTRA_STREAM) = range(7)
_BLOCK_LINES = 250_000  # order lines per generation block (whole days)

WEEKDAY_LIFT = (0.85, 0.80, 0.85, 0.92, 1.10, 1.45, 1.25)  # Monday..Sunday
MONTH_LIFT = (0.80, 0.72, 0.85, 0.90, 0.92, 0.95, 1.00, 1.05, 0.95, 1.00, 1.50, 1.65)
FESTIVAL_LIFT = _ro({
    "Christmas": 1.75, "Black Friday": 3.0, "Día de Reyes": 1.5, "Día del Niño": 1.45,
    "Easter": 1.25, "Halloween": 1.3, "Back to School": 1.2,
})
OTHER_FESTIVAL_LIFT = 1.15  # festivals a retailer adds to festivals.csv


class _Sub(NamedTuple):
    name: str
    heads: tuple[str, ...]  # "{first}"/"{last}" are filled with Faker names
    low: float
    high: float


class _Category(NamedTuple):
    share: float  # overall popularity
    ages: tuple[float, ...]  # affinity per AGE_GROUPS entry
    female: float
    male: float
    adjectives: tuple[str, ...]
    subcategories: tuple[_Sub, ...]


CATEGORIES = _ro({
    "Plush": _Category(1.0, (3.0, 2.0, 1.0, 0.5, 0.3), 1.15, 0.9, (
        "Cuddly", "Snuggly", "Fluffy", "Huggable", "Sleepy", "Jumbo", "Mini", "Rainbow", "Cozy"), (
        _Sub("Teddy Bears", ("Teddy Bear", "Honey Bear", "Bear Cub", "Giant Teddy"), 9.99, 59.99),
        _Sub("Animal Plush", ("Panda Plush", "Bunny Plush", "Fox Plush", "Koala Plush",
                              "Penguin Plush", "Sloth Plush", "Elephant Plush"), 7.99, 39.99),
        _Sub("Character Plush", ("{first} the Hedgehog", "{first} the Llama",
                                 "{first} the Unicorn", "{first} the Dragon"), 12.99, 34.99),
    )),
    "Dolls": _Category(1.0, (0.4, 2.0, 2.2, 1.0, 0.3), 1.5, 0.7, (
        "Sparkle", "Sweet", "Dreamy", "Glitter", "Classic", "Deluxe", "Starlight"), (
        _Sub("Fashion Dolls", ("{first} Fashion Doll", "{first} Pop Star Doll",
                               "{first} Ballerina Doll", "{first} Beach Day Doll"), 12.99, 39.99),
        _Sub("Baby Dolls", ("Baby {first} Doll", "Newborn Twins Set", "Baby Doll Stroller Set",
                            "Bathtime Baby Doll"), 14.99, 49.99),
        _Sub("Dollhouses", ("Cottage Dollhouse", "Seaside Villa Dollhouse", "Townhouse Playset",
                            "Treehouse Playset"), 39.99, 149.99),
    )),
    "Building Sets": _Category(1.3, (0.2, 1.0, 2.5, 2.5, 1.2), 0.85, 1.2, (
        "Mega", "Ultimate", "Mini", "Classic", "Creator", "Deluxe", "Starter", "Master"), (
        _Sub("Brick Sets", ("Space Station Brick Set", "Pirate Ship Brick Set", "Castle Brick Set",
                            "Fire Station Brick Set", "Dino Park Brick Set"), 14.99, 149.99),
        _Sub("Magnetic Tiles", ("Magnetic Tile Set", "Magnetic Marble Run",
                                "Magnetic Rocket Kit"), 24.99, 89.99),
        _Sub("Construction Kits", ("Crane Construction Kit", "Robot Construction Kit",
                                   "Bridge Builder Kit", "Gear Machine Kit"), 19.99, 79.99),
    )),
    "Action Figures": _Category(1.0, (0.2, 1.2, 2.2, 1.6, 0.8), 0.7, 1.5, (
        "Mighty", "Shadow", "Turbo", "Galactic", "Thunder", "Iron", "Cosmic", "Stealth"), (
        _Sub("Superheroes", ("Captain {last} Figure", "Agent {last} Figure",
                             "Commander {last} Figure", "Hero Squad 3-Pack"), 9.99, 34.99),
        _Sub("Robots & Mechs", ("Titan Robot Figure", "Mech Warrior", "Transforming Robot",
                                "Battle Mech"), 14.99, 59.99),
        _Sub("Dinosaurs", ("T-Rex Figure", "Raptor Figure", "Triceratops Figure",
                           "Dino Battle Pack"), 7.99, 39.99),
    )),
    "Board Games": _Category(0.9, (0.1, 0.6, 1.3, 2.2, 2.2), 1.0, 1.0, (
        "Family", "Speedy", "Super", "Wacky", "Grand", "Pocket", "Junior"), (
        _Sub("Family Games", ("Treasure Island Quest", "Jungle Dash", "Galaxy Race",
                              "Haunted House Hunt", "Pizza Party Game"), 14.99, 39.99),
        _Sub("Strategy Games", ("Kingdom Builders", "Empire of Islands", "Dragon Siege",
                                "Space Colony Tactics"), 24.99, 59.99),
        _Sub("Card Games", ("Monster Card Game", "Animal Snap", "Word Wizards Cards",
                            "Pirate Rummy"), 6.99, 19.99),
    )),
    "Puzzles": _Category(0.7, (0.3, 1.2, 1.2, 1.8, 1.8), 1.05, 0.95, (
        "Ocean Reef", "World Map", "Safari Sunset", "Mountain Lake", "Outer Space",
        "Rainforest", "Fairy Garden", "City Skyline"), (
        _Sub("Jigsaw Puzzles", ("24-Piece Jigsaw", "100-Piece Jigsaw", "500-Piece Jigsaw",
                                "1000-Piece Jigsaw"), 7.99, 29.99),
        _Sub("3D Puzzles", ("3D Puzzle", "3D Crystal Puzzle", "3D Wooden Model"), 12.99, 44.99),
        _Sub("Floor Puzzles", ("Floor Puzzle", "Giant Floor Puzzle", "Chunky Puzzle"),
             9.99, 29.99),
    )),
    "Vehicles": _Category(0.9, (0.8, 2.2, 1.8, 0.9, 0.5), 0.75, 1.4, (
        "Turbo", "Rapid", "Mini", "Mega", "Thunder", "Racing", "Rescue", "Off-Road"), (
        _Sub("Die-cast Cars", ("Die-cast Sports Car", "Die-cast Police Car", "Die-cast 5-Car Pack",
                               "Die-cast Fire Truck"), 4.99, 24.99),
        _Sub("RC Vehicles", ("RC Monster Truck", "RC Stunt Car", "RC Helicopter",
                             "RC Speedboat"), 29.99, 99.99),
        _Sub("Trains & Tracks", ("Express Train Set", "Wooden Railway Set", "Freight Train Set"),
             24.99, 129.99),
    )),
    "Outdoor": _Category(0.8, (0.4, 1.3, 1.8, 1.6, 1.2), 0.95, 1.05, (
        "Junior", "Splash", "Sunny", "Speedy", "Backyard", "Adventure", "Super", "Pro"), (
        _Sub("Ride-ons", ("Balance Bike", "Kick Scooter", "Ride-on Tractor", "Wagon"),
             39.99, 149.99),
        _Sub("Water Play", ("Water Blaster", "Splash Pad", "Pool Float", "Sprinkler Octopus"),
             9.99, 49.99),
        _Sub("Sports & Games", ("Soccer Goal Set", "Frisbee Set", "Stunt Kite", "Badminton Set",
                                "Bubble Machine"), 9.99, 59.99),
    )),
    "Arts & Crafts": _Category(0.8, (0.2, 1.5, 2.0, 1.6, 1.0), 1.25, 0.85, (
        "Rainbow", "Sparkly", "Creative", "Mega", "Glitter", "Deluxe", "Pastel", "Neon"), (
        _Sub("Drawing & Painting", ("Watercolor Set", "Marker Studio", "Easel Art Kit",
                                    "Crayon Box"), 4.99, 39.99),
        _Sub("Clay & Dough", ("Modeling Clay Kit", "Dough Bakery Set", "Air-Dry Clay Studio"),
             6.99, 29.99),
        _Sub("Jewelry & Beads", ("Bead Jewelry Kit", "Friendship Bracelet Kit",
                                 "Charm Necklace Studio"), 9.99, 34.99),
    )),
    "Educational": _Category(0.7, (0.8, 1.8, 1.8, 1.4, 0.8), 1.0, 1.0, (
        "Junior", "Smart", "Little", "Young", "Discovery", "Bright", "Curious", "Genius"), (
        _Sub("STEM Kits", ("Chemistry Kit", "Solar Robot Kit", "Crystal Growing Kit",
                           "Volcano Science Kit", "Circuit Kit"), 19.99, 69.99),
        _Sub("Early Learning", ("Alphabet Blocks", "Counting Abacus", "Shape Sorter Clock",
                                "Phonics Flash Cards"), 9.99, 34.99),
        _Sub("Coding Toys", ("Coding Robot", "Coding Caterpillar", "Logic Bot"), 39.99, 129.99),
    )),
    "Baby & Toddler": _Category(0.8, (5.0, 1.0, 0.1, 0.05, 0.05), 1.0, 1.0, (
        "Soft", "Tiny", "Gentle", "Happy", "Sunny", "Peekaboo", "Snuggle", "Little"), (
        _Sub("Rattles & Teethers", ("Rattle Set", "Teether Ring", "Sensory Ball Set"),
             4.99, 19.99),
        _Sub("Stacking & Sorting", ("Stacking Cups", "Stacking Rings", "Shape Sorter",
                                    "Nesting Blocks"), 7.99, 24.99),
        _Sub("Activity Gyms", ("Activity Gym", "Play Mat", "Activity Cube", "Bath Toy Set"),
             19.99, 79.99),
    )),
    "Electronic Toys": _Category(0.8, (0.3, 0.6, 1.2, 2.4, 3.0), 0.85, 1.2, (
        "Smart", "Interactive", "Pocket", "Hyper", "Robo", "Digital", "Laser", "Glow"), (
        _Sub("Interactive Pets", ("Robot Puppy", "Talking Parrot", "Robo Kitten", "Virtual Pet"),
             19.99, 89.99),
        _Sub("Kids Tech", ("Learning Tablet", "Kids Camera", "Walkie-Talkie Set",
                           "Kids Smartwatch"), 24.99, 129.99),
        _Sub("Drones & Robots", ("Mini Drone", "Camera Drone", "Battle Robot",
                                 "Programmable Robot"), 29.99, 149.99),
    )),
    "Costumes & Role Play": _Category(0.35, (0.2, 1.8, 1.8, 1.0, 0.5), 1.1, 0.95, (
        "Deluxe", "Classic", "Sparkly", "Spooky", "Brave", "Royal", "Little", "Glow-in-the-Dark"), (
        _Sub("Costumes", ("Pirate Costume", "Princess Costume", "Astronaut Costume",
                          "Wizard Costume", "Dinosaur Costume", "Superhero Cape Set"),
             14.99, 49.99),
        _Sub("Pretend Play", ("Play Kitchen", "Doctor Kit", "Tool Bench", "Cash Register",
                              "Tea Party Set"), 14.99, 119.99),
    )),
    "Musical Toys": _Category(0.45, (2.0, 1.8, 1.0, 0.6, 0.8), 1.0, 1.0, (
        "Happy", "Jazzy", "Little", "Rock Star", "Melody", "Groovy", "Junior", "Tiny"), (
        _Sub("Instruments", ("Xylophone", "Keyboard", "Drum Set", "Ukulele", "Guitar"),
             9.99, 79.99),
        _Sub("Sing-along", ("Karaoke Microphone", "Music Box", "Sing-along Speaker"),
             12.99, 49.99),
    )),
})
BRAND_WORDS = (("Bright", "Little", "Happy", "Tiny", "Wonder", "Sunny", "Maple", "Star"),
               ("Spark", "Acorn", "Works", "Play", "Tots", "Box", "Nest", "Kids"))

# Category lifts by season and by festival (names as in the calendar CSVs).
SEASON_BOOSTS = _ro({
    "Summer": _ro({"Outdoor": 2.4, "Vehicles": 1.1}),
    "Spring": _ro({"Outdoor": 1.5}),
    "Autumn": _ro({"Outdoor": 0.8, "Board Games": 1.1}),
    "Winter": _ro({"Outdoor": 0.45, "Puzzles": 1.4, "Board Games": 1.3, "Arts & Crafts": 1.2}),
})
FESTIVAL_BOOSTS = _ro({
    "Christmas": _ro({"Electronic Toys": 1.6, "Building Sets": 1.5, "Dolls": 1.4,
                      "Action Figures": 1.3, "Board Games": 1.3, "Vehicles": 1.3}),
    "Black Friday": _ro({"Electronic Toys": 2.2, "Building Sets": 1.5, "Vehicles": 1.3}),
    "Halloween": _ro({"Costumes & Role Play": 6.0, "Action Figures": 1.8, "Arts & Crafts": 1.2}),
    "Back to School": _ro({"Educational": 3.0, "Arts & Crafts": 2.5, "Puzzles": 1.3}),
    "Easter": _ro({"Plush": 2.0, "Outdoor": 1.6, "Baby & Toddler": 1.3, "Arts & Crafts": 1.3}),
    "Día del Niño": _ro({"Outdoor": 1.5, "Action Figures": 1.4, "Dolls": 1.4, "Vehicles": 1.3}),
    "Día de Reyes": _ro({"Dolls": 1.6, "Vehicles": 1.5, "Board Games": 1.5,
                         "Building Sets": 1.3}),
})


class _Region(NamedTuple):
    states: tuple[tuple[str, float, float], ...]  # name, latitude, longitude near its middle
    stores: int
    weight: float  # sales per store
    trend: float  # yearly growth relative to the chain's
    boosts: Mapping[str, float]  # category mix


REGION_PROFILES = _ro({
    "North": _Region((("Minnesota", 46.3, -94.3), ("Wisconsin", 44.6, -89.9),
                      ("Michigan", 43.3, -84.5), ("North Dakota", 47.5, -100.5)), 7, 1.0, 0.0,
                     _ro({"Outdoor": 0.8, "Board Games": 1.2, "Puzzles": 1.25})),
    "South": _Region((("Texas", 31.0, -97.5), ("Louisiana", 31.0, -92.0), ("Alabama", 32.8, -86.8),
                      ("Tennessee", 35.8, -86.4)), 6, 1.1, 0.03,
                     _ro({"Outdoor": 1.3, "Vehicles": 1.15})),
    "East": _Region((("Ohio", 40.3, -82.8), ("Virginia", 37.5, -78.8), ("Maryland", 39.0, -76.8),
                     ("Kentucky", 37.5, -85.3)), 7, 1.0, 0.0, _ro({"Dolls": 1.15, "Plush": 1.15})),
    "West": _Region((("California", 36.5, -119.5), ("Nevada", 38.5, -117.0),
                     ("Arizona", 34.2, -111.7)), 7, 1.25, 0.05,
                    _ro({"Electronic Toys": 1.3, "Outdoor": 1.2})),
    "Central": _Region((("Kansas", 38.5, -98.4), ("Missouri", 38.4, -92.5),
                        ("Nebraska", 41.5, -99.8), ("Oklahoma", 35.6, -97.5),
                        ("Iowa", 42.0, -93.5)), 4, 0.9, -0.17,
                       _ro({"Board Games": 1.15, "Vehicles": 1.2, "Electronic Toys": 0.8})),
    "Northeast": _Region((("New York", 42.9, -75.5), ("Massachusetts", 42.3, -71.8),
                          ("Pennsylvania", 40.9, -77.8), ("New Jersey", 40.2, -74.6)), 5, 1.2, 0.0,
                         _ro({"Educational": 1.3, "Electronic Toys": 1.2, "Arts & Crafts": 1.1})),
    "Southeast": _Region((("Florida", 28.6, -82.4), ("Georgia", 32.7, -83.4),
                          ("North Carolina", 35.5, -79.4), ("South Carolina", 33.9, -80.9)),
                         5, 1.0, 0.08, _ro({"Outdoor": 1.4, "Costumes & Role Play": 1.2})),
    "Northwest": _Region((("Washington", 47.4, -120.5), ("Oregon", 44.0, -120.6),
                          ("Idaho", 44.4, -114.6), ("Montana", 47.0, -109.6)), 4, 0.85, -0.02,
                         _ro({"Outdoor": 1.3, "Building Sets": 1.2, "Educational": 1.1})),
})
LOCATION_P = (0.35, 0.2, 0.25, 0.08, 0.12)  # shares of LOCATION_TYPES
LOCATION_SIZE = (1.3, 1.0, 0.9, 0.5, 0.8)  # sales per store by location type
NEW_STORE_REGIONS = ("West", "Southeast", "South", "Northeast", "Southeast")  # open 2023-2025

# Discount profiles: probabilities of DISCOUNTS on ordinary days, festivals, Black Friday, and
# the post-Christmas clearance (26 Dec - 15 Jan).
DISCOUNT_P = ((0.72, 0.12, 0.09, 0.05, 0.02), (0.60, 0.15, 0.13, 0.08, 0.04),
              (0.15, 0.10, 0.25, 0.30, 0.20), (0.45, 0.10, 0.15, 0.20, 0.10))
RETURN_P, CLEARANCE_RETURN_P = 0.013, 0.04  # lines returned; more after Christmas


# ---------------------------------------------------------------------------------------------
# Dimension tables


def dimension_tables(seed: int = 7) -> dict[str, pd.DataFrame]:
    """Products, stores, customers and employees of the sample retailer."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    rng = np.random.default_rng([seed, _DIMS_STREAM])
    products = _products(rng, fake)
    stores = _stores(rng, fake)
    sizes = _store_sizes(stores, seed)
    return {
        "products": products,
        "stores": stores,
        "customers": _customers(rng, stores, sizes),
        "employees": _employees(rng, fake, stores, sizes),
    }


def _products(rng: np.random.Generator, fake: Faker) -> pd.DataFrame:
    """PRODUCTS_PER_SUBCATEGORY toys per subcategory, named from word lists and Faker names."""
    brands = _brands(rng, fake)
    rows, names = [], set()
    for category, profile in CATEGORIES.items():
        age_p = np.array(profile.ages) / sum(profile.ages)
        category_brands = rng.choice(brands, size=3, replace=False)
        for sub in profile.subcategories:
            for _ in range(PRODUCTS_PER_SUBCATEGORY):
                name = _unique_name(rng, fake, profile.adjectives, sub.heads, names)
                price = _price(rng, sub.low, sub.high)
                rows.append((name, category, sub.name, AGE_GROUPS[rng.choice(5, p=age_p)],
                             str(rng.choice(category_brands)), price))
    df = pd.DataFrame(rows, columns=["name", "category", "subcategory", "target_age_group",
                                     "brand", "unit_price"])
    ratio = rng.uniform(0.0, 1.0, len(df))
    low, high = np.where((df["subcategory"] == LOSS_SUBCATEGORY).to_numpy()[:, None],
                         LOSS_COST_RATIO, COST_RATIO).T
    df["unit_cost"] = np.round(df["unit_price"] * (low + ratio * (high - low)), 2)
    df.insert(0, "product_id", [f"P{i:04d}" for i in range(1, len(df) + 1)])
    return df[["product_id", "name", "category", "subcategory", "target_age_group", "brand",
               "unit_cost", "unit_price"]]


def _brands(rng: np.random.Generator, fake: Faker) -> list[str]:
    """Made-up brands: word-list compounds ("Maple Tots") and family firms ("Keller Toys")."""
    first, second = BRAND_WORDS
    words = {f"{rng.choice(first)} {rng.choice(second)}" for _ in range(40)}
    families = {f"{fake.last_name()} {rng.choice(('Toys', 'Games', '& Co.'))}" for _ in range(8)}
    return sorted(words)[:14] + sorted(families)


def _unique_name(rng: np.random.Generator, fake: Faker, adjectives: tuple[str, ...],
                 heads: tuple[str, ...], taken: set[str]) -> str:
    """An unused "adjective head" name; retries are rare because combinations far outnumber uses."""
    while True:
        head = str(rng.choice(heads)).format(first=fake.first_name(), last=fake.last_name())
        name = f"{rng.choice(adjectives)} {head}"
        if name not in taken:
            taken.add(name)
            return name


def _price(rng: np.random.Generator, low: float, high: float) -> float:
    """A .99 price, log-uniform in [low, high], so cheap toys are the common ones."""
    raw = np.exp(rng.uniform(np.log(low), np.log(high)))
    return float(min(max(np.floor(raw) + 0.99, low), high))


def _stores(rng: np.random.Generator, fake: Faker) -> pd.DataFrame:
    """Stores per REGION_PROFILES; a few open during 2023-2025, the rest years earlier."""
    rows = []
    for region, profile in REGION_PROFILES.items():
        for _ in range(profile.stores):
            city = fake.unique.city()
            kind = LOCATION_TYPES[rng.choice(len(LOCATION_TYPES), p=LOCATION_P)]
            state, lat, lon = profile.states[rng.integers(len(profile.states))]
            opened = dt.date(2008, 1, 1) + dt.timedelta(days=int(rng.integers(0, 14 * 365)))
            rows.append((f"{city} {kind}", city, state, region, kind,
                         round(lat + rng.uniform(-1.0, 1.0), 5),
                         round(lon + rng.uniform(-1.2, 1.2), 5), opened))
    df = pd.DataFrame(rows, columns=["name", "city", "state", "region", "location_type",
                                     "latitude", "longitude", "open_date"])
    for i, region in enumerate(NEW_STORE_REGIONS):
        newest = df.index[df["region"] == region][-1 - NEW_STORE_REGIONS[:i].count(region)]
        df.loc[newest, "open_date"] = dt.date(2023, 3, 1) + dt.timedelta(days=150 * i)
    df = df.sort_values("open_date", kind="stable").reset_index(drop=True)
    df.insert(0, "store_id", [f"S{i:03d}" for i in range(1, len(df) + 1)])
    return df


def _store_sizes(stores: pd.DataFrame, seed: int) -> np.ndarray:
    """Relative sales volume of each store: region, location type and a seeded jitter."""
    rng = np.random.default_rng([seed, _SIZE_STREAM])
    region = stores["region"].map(lambda r: REGION_PROFILES[r].weight).to_numpy(float)
    location = np.array(LOCATION_SIZE)[_codes(stores["location_type"], LOCATION_TYPES)]
    return region * location * rng.lognormal(0.0, 0.25, len(stores))


def _customers(rng: np.random.Generator, stores: pd.DataFrame, sizes: np.ndarray) -> pd.DataFrame:
    """Households; gender and age group are those of the child the toys are for."""
    n = N_CUSTOMERS
    home = rng.choice(len(stores), size=n, p=sizes / sizes.sum())
    genders = np.array([*GENDERS, UNKNOWN])
    return pd.DataFrame({
        "customer_id": [f"C{i:06d}" for i in range(1, n + 1)],
        "gender": genders[rng.choice(3, size=n, p=(0.495, 0.495, 0.01))],
        "age_group": np.array(AGE_GROUPS)[rng.choice(5, size=n, p=(0.17, 0.24, 0.25, 0.23, 0.11))],
        "home_store_id": stores["store_id"].to_numpy()[home],
        "city": stores["city"].to_numpy()[home],
    })


def _employees(rng: np.random.Generator, fake: Faker, stores: pd.DataFrame,
               sizes: np.ndarray) -> pd.DataFrame:
    """At least three staff per store, the rest by store size; targets share the chain's revenue."""
    share = sizes / sizes.sum()
    spare = N_EMPLOYEES - 3 * len(stores)
    staff = 3 + np.round(share * spare).astype(int)
    store_of = np.repeat(np.arange(len(stores)), staff)
    target = TARGET_CHAIN_MONTHLY_REVENUE * share[store_of] / staff[store_of]
    target *= rng.uniform(0.85, 1.15, len(store_of))
    return pd.DataFrame({
        "employee_id": [f"E{i:04d}" for i in range(1, len(store_of) + 1)],
        "name": [fake.name() for _ in store_of],
        "store_id": stores["store_id"].to_numpy()[store_of],
        "monthly_target": np.round(target, -1),
    })


# ---------------------------------------------------------------------------------------------
# The demand model: everything about sales that does not change from block to block


class _Choice(NamedTuple):
    """Many categorical distributions, one per row, sampled together with one searchsorted."""

    flat: np.ndarray  # row r holds r + cumulative probabilities, so the whole array is sorted
    width: int

    @classmethod
    def from_weights(cls, weights: np.ndarray) -> _Choice:
        weights = weights.reshape(-1, weights.shape[-1])
        cum = np.cumsum(weights, axis=1)
        total = cum[:, -1:]
        uniform = np.arange(1, cum.shape[1] + 1) / cum.shape[1]
        cum = np.where(total > 0, cum / np.where(total > 0, total, 1.0), uniform)
        cum[:, -1] = 1.0
        return cls((cum + np.arange(len(cum))[:, None]).ravel(), cum.shape[1])

    def sample(self, row: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Column drawn from each given row, with u uniform in [0, 1)."""
        pick = np.searchsorted(self.flat, row + u, side="right") - row * self.width
        return np.minimum(pick, self.width - 1)


class _Pool(NamedTuple):
    """Members grouped by store, so one uniform draw picks a member of a given store."""

    members: np.ndarray
    start: np.ndarray
    count: np.ndarray

    @classmethod
    def by_store(cls, store_of_member: np.ndarray, n_stores: int, what: str) -> _Pool:
        count = np.bincount(store_of_member, minlength=n_stores)
        if (count == 0).any():
            raise ValueError(f"every store needs at least one of the {what}")
        return cls(np.argsort(store_of_member, kind="stable"), np.cumsum(count) - count, count)

    def pick(self, store: np.ndarray, u: np.ndarray) -> np.ndarray:
        offset = np.minimum((u * self.count[store]).astype(np.int64), self.count[store] - 1)
        return self.members[self.start[store] + offset]


@dataclass(frozen=True)
class _Model:
    """Arrays indexed by calendar day, store, customer and product; fixed for one run."""

    dates: np.ndarray  # datetime64[D], one per calendar day
    day_weight: np.ndarray  # relative number of order lines
    day_years: np.ndarray  # years since start: growth and regional trends
    day_context: np.ndarray  # (season, festival) index into the product table
    day_discount: np.ndarray  # row of DISCOUNT_P
    day_online: np.ndarray  # online share of orders
    day_returns: np.ndarray  # probability a line is a return
    store_size: np.ndarray
    store_trend: np.ndarray
    store_open: np.ndarray  # datetime64[D]
    store_region: np.ndarray
    customer_gender: np.ndarray  # index into GENDERS + UNKNOWN
    customer_age: np.ndarray  # index into AGE_GROUPS
    customer_segment: np.ndarray  # index into SEGMENTS
    customers: _Pool
    employees: _Pool
    price: np.ndarray
    unit_cost: np.ndarray
    low_margin: np.ndarray  # bool per product: a clearance candidate
    day_deep: np.ndarray  # probability a low-margin toy's line is deeply discounted
    day_late: np.ndarray  # probability an online order ships late
    products: _Choice  # rows: (context, age, gender, region)
    product_rows: tuple[int, ...]
    discounts: _Choice
    labels: dict[str, pd.CategoricalDtype]  # dtype of each categorical sales column


def _build_model(dims: dict[str, pd.DataFrame], calendar: pd.DataFrame, seed: int) -> _Model:
    """Turn dimension tables and the calendar into arrays the block generator indexes."""
    products, stores = dims["products"], dims["stores"]
    customers, employees = dims["customers"], dims["employees"]
    dates = pd.to_datetime(calendar["date"])
    years = ((dates - pd.Timestamp(calendar["date"].iloc[0])).dt.days / 365.25).to_numpy()
    context, context_keys = pd.factorize(calendar["season"].astype(str) + "|"
                                         + calendar["festival"].astype(str))
    store_ids = pd.Index(stores["store_id"])
    store_of_customer = _lookup(store_ids, customers["home_store_id"], "home_store_id")
    store_of_employee = _lookup(store_ids, employees["store_id"], "employee store_id")
    region = _codes(stores["region"], REGIONS)
    product_weights = _product_weights(products, list(context_keys), seed)
    return _Model(
        dates=dates.to_numpy().astype("datetime64[D]"),
        day_weight=_day_weights(dates, calendar["festival"], years),
        day_years=years,
        day_context=context,
        day_discount=_discount_profiles(dates, calendar["festival"]),
        day_online=_online_share(calendar["festival"], years),
        day_returns=np.where(_clearance(dates), CLEARANCE_RETURN_P, RETURN_P),
        store_size=_store_sizes(stores, seed),
        store_trend=np.array([REGION_PROFILES[r].trend for r in REGIONS])[region],
        store_open=pd.to_datetime(stores["open_date"]).to_numpy().astype("datetime64[D]"),
        store_region=region,
        customer_gender=_codes(customers["gender"], (*GENDERS, UNKNOWN)),
        customer_age=_codes(customers["age_group"], AGE_GROUPS),
        customer_segment=_segments(len(customers), seed),
        customers=_Pool.by_store(store_of_customer, len(stores), "customers"),
        employees=_Pool.by_store(store_of_employee, len(stores), "employees"),
        price=products["unit_price"].to_numpy(float),
        unit_cost=products["unit_cost"].to_numpy(float),
        low_margin=(products["unit_cost"] / products["unit_price"]).to_numpy(float)
        >= LOW_MARGIN_RATIO,
        day_deep=np.where(_clearance(dates) | (calendar["festival"] == "Black Friday").to_numpy(),
                          CLEARANCE_DEEP_DISCOUNT_P, DEEP_DISCOUNT_P),
        day_late=np.where(calendar["festival"].isin(("Black Friday", "Christmas")).to_numpy(),
                          PEAK_LATE_P, LATE_P),
        products=_Choice.from_weights(product_weights),
        product_rows=product_weights.shape[:-1],
        discounts=_Choice.from_weights(np.array(DISCOUNT_P)),
        labels=_labels(dims),
    )


def _labels(dims: dict[str, pd.DataFrame]) -> dict[str, pd.CategoricalDtype]:
    """Categorical dtypes of the sales columns, built once rather than per block."""
    def dtype(values: Iterable[str]) -> pd.CategoricalDtype:
        return pd.CategoricalDtype(pd.Index(list(values), dtype=str))

    return {
        "store_id": dtype(dims["stores"]["store_id"]),
        "product_id": dtype(dims["products"]["product_id"]),
        "customer_id": dtype(dims["customers"]["customer_id"]),
        "employee_id": dtype(dims["employees"]["employee_id"]),
        "channel": dtype(CHANNELS),
        "ship_mode": dtype((*SHIP_MODES, IN_STORE)),
        "segment": dtype(SEGMENTS),
        "customer_gender": dtype((*GENDERS, UNKNOWN)),
        "customer_age_group": dtype((*AGE_GROUPS, UNKNOWN)),
    }


def _segments(n_customers: int, seed: int) -> np.ndarray:
    """Each customer's segment (index into SEGMENTS), from its own stream so that adding it
    changed no other dimension."""
    rng = np.random.default_rng([seed, _SEGMENT_STREAM])
    return rng.choice(len(SEGMENTS), size=n_customers, p=SEGMENT_P)


def _codes(values: pd.Series, allowed: tuple[str, ...]) -> np.ndarray:
    """Positions of values in allowed; an unexpected value is an error, not a silent -1."""
    return _lookup(pd.Index(allowed), values, values.name)


def _lookup(index: pd.Index, values: pd.Series, what: str) -> np.ndarray:
    """Positions of values in index, refusing dangling references."""
    codes = index.get_indexer(values)
    if (codes < 0).any():
        raise ValueError(f"unknown {what}: {sorted(set(values[codes < 0]))[:5]}")
    return codes


def _day_weights(dates: pd.Series, festival: pd.Series, years: np.ndarray) -> np.ndarray:
    """Relative sales per day: growth x weekday x month x festival lift."""
    lift = festival.map(lambda f: 1.0 if f == NO_FESTIVAL else
                        FESTIVAL_LIFT.get(f, OTHER_FESTIVAL_LIFT)).to_numpy(float)
    return ((1 + ANNUAL_GROWTH) ** years * np.array(WEEKDAY_LIFT)[dates.dt.day_of_week]
            * np.array(MONTH_LIFT)[dates.dt.month - 1] * lift)


def _online_share(festival: pd.Series, years: np.ndarray) -> np.ndarray:
    """About a quarter of orders, from 17% at the start growing 5 points a year; more on
    Black Friday (Cyber Monday)."""
    cyber = (festival == "Black Friday").to_numpy()
    return np.clip(0.17 + 0.05 * years, 0.05, 0.6) + 0.1 * cyber


def _clearance(dates: pd.Series) -> np.ndarray:
    """Post-Christmas clearance and returns season: 26 Dec to 15 Jan."""
    month, day = dates.dt.month.to_numpy(), dates.dt.day.to_numpy()
    return ((month == 12) & (day >= 26)) | ((month == 1) & (day <= 15))


def _discount_profiles(dates: pd.Series, festival: pd.Series) -> np.ndarray:
    """Row of DISCOUNT_P per day: ordinary, festival, Black Friday or clearance."""
    profile = np.where(festival.to_numpy() == NO_FESTIVAL, 0, 1)
    profile = np.where(_clearance(dates), 3, profile)
    return np.where(festival.to_numpy() == "Black Friday", 2, profile)


def _product_weights(products: pd.DataFrame, contexts: list[str], seed: int) -> np.ndarray:
    """Weights of shape (context, age, gender, region, product) for choosing a line's toy."""
    category = products["category"].tolist()
    neutral = _Category(1.0, (1.0,) * 5, 1.0, 1.0, (), ())  # a category a retailer added
    profiles = [CATEGORIES.get(c, neutral) for c in category]
    rng = np.random.default_rng([seed, _POPULARITY_STREAM])
    popularity = (np.array([p.share for p in profiles]) * rng.lognormal(0.0, 0.5, len(category))
                  * products["unit_price"].to_numpy(float) ** -0.35)
    target = _codes(products["target_age_group"], AGE_GROUPS)
    age = np.array([p.ages for p in profiles]).T  # (age, product)
    age = age * np.where(target == np.arange(5)[:, None], TARGET_MATCH_BOOST, 1.0)
    gender = np.array([[p.female for p in profiles], [p.male for p in profiles],
                       [1.0] * len(profiles)])
    region = np.array([[REGION_PROFILES[r].boosts.get(c, 1.0) for c in category]
                       for r in REGIONS])
    context = np.array([_context_boosts(key, category) for key in contexts])
    return (context[:, None, None, None, :] * age[None, :, None, None, :]
            * gender[None, None, :, None, :] * region[None, None, None, :, :] * popularity)


def _context_boosts(key: str, category: list[str]) -> list[float]:
    """Category lifts for one "season|festival" context; unknown names lift nothing."""
    season, festival = key.split("|", 1)
    by_season = SEASON_BOOSTS.get(season, {})
    by_festival = FESTIVAL_BOOSTS.get(festival, {})
    return [by_season.get(c, 1.0) * by_festival.get(c, 1.0) for c in category]


# ---------------------------------------------------------------------------------------------
# Sales


def sales_chunks(rows: int, seed: int = 7, start: dt.date = DEFAULT_START,
                 end: dt.date = DEFAULT_END, chunk_rows: int = 2_000_000,
                 dims: dict[str, pd.DataFrame] | None = None) -> Iterator[pd.DataFrame]:
    """Sales order lines, oldest first, in frames of at most chunk_rows (whole orders only).

    The concatenated rows depend only on (rows, seed, start, end, dims), never on chunk_rows.
    """
    if rows < 0 or chunk_rows < 1:
        raise ValueError("rows must be >= 0 and chunk_rows >= 1")
    if dims is None:
        dims = dimension_tables(seed)
    model = _build_model(dims, build_calendar(start, end), seed)
    yield from _rechunk(_blocks(model, rows, seed), chunk_rows)


def _blocks(model: _Model, rows: int, seed: int) -> Iterator[pd.DataFrame]:
    """Frames of about _BLOCK_LINES lines, each made of whole days by its own generator."""
    day_lines = _allocate_lines(rows, model.day_weight, seed)
    block_of_day = (np.cumsum(day_lines) - day_lines) // _BLOCK_LINES
    next_sale, next_order = 1, 1
    for block in np.unique(block_of_day):
        days = np.flatnonzero((block_of_day == block) & (day_lines > 0))
        if len(days) == 0:
            continue
        rng = np.random.default_rng([seed, _SALES_STREAM, int(block)])
        extra = np.random.default_rng([seed, _EXTRA_STREAM, int(block)])
        frame = _block_frame(model, days, day_lines[days], (rng, extra), next_sale, next_order)
        next_sale += len(frame)
        next_order = int(frame["order_id"].iat[-1]) + 1
        yield frame


def _allocate_lines(rows: int, weights: np.ndarray, seed: int) -> np.ndarray:
    """Order lines per day: one multinomial draw, so the days add up to exactly rows."""
    rng = np.random.default_rng([seed, _DAYS_STREAM])
    return rng.multinomial(rows, weights / weights.sum())


def _block_frame(model: _Model, days: np.ndarray, day_lines: np.ndarray,
                 rngs: tuple[np.random.Generator, np.random.Generator], first_sale: int,
                 first_order: int) -> pd.DataFrame:
    """All order lines of some consecutive days; rngs: the sales stream, and the stream of the
    later additions (shipping, deep discounts), kept apart so the older columns stay as they
    were."""
    rng, extra = rngs
    order_day, sizes = _split_orders(day_lines, rng)
    orders = _order_headers(model, days, order_day, rng)
    orders |= _shipping(model, orders, extra)
    line_order = np.repeat(np.arange(len(sizes)), sizes)
    lines = {key: value[line_order] for key, value in orders.items()}
    lines |= _order_lines(model, lines, rng)
    lines |= _deep_discounts(model, lines, extra)
    lines["order_id"] = first_order + line_order
    lines["sale_id"] = np.arange(first_sale, first_sale + len(line_order))
    return _sales_frame(model, lines)


def _split_orders(day_lines: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Order sizes of 1-5 lines that tile each day exactly (the day's last order is trimmed)."""
    total = int(day_lines.sum())
    drawn = rng.choice(np.arange(1, 6), size=total, p=ORDER_SIZE_P)  # at least total lines
    order_ends = np.cumsum(drawn)
    day_starts = np.cumsum(day_lines) - day_lines
    is_start = np.zeros(total, dtype=bool)
    is_start[order_ends[order_ends < total]] = True
    is_start[day_starts[day_starts < total]] = True
    is_start[0] = True
    starts = np.flatnonzero(is_start)
    sizes = np.diff(np.append(starts, total))
    order_day = np.repeat(np.arange(len(day_lines)), day_lines)[starts]
    return order_day, sizes


def _order_headers(model: _Model, days: np.ndarray, order_day: np.ndarray,
                   rng: np.random.Generator) -> dict[str, np.ndarray]:
    """What all lines of an order share: day, store, customer, employee, channel."""
    n = len(order_day)
    day = days[order_day]
    store = _store_choice(model, days).sample(order_day, rng.random(n))
    regular = model.customers.pick(store, rng.random(n) ** 1.5)  # some households buy more
    visitor = rng.integers(0, len(model.customer_age), n)
    customer = np.where(rng.random(n) < VISITOR_SHARE, visitor, regular)
    return {
        "day": day,
        "store": store,
        "customer": customer,
        "employee": model.employees.pick(store, rng.random(n)),
        "online": rng.random(n) < model.day_online[day],
        "unrecorded": rng.random(n) < UNKNOWN_ORDER_SHARE,
    }


def _shipping(model: _Model, orders: dict[str, np.ndarray],
              rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Ship mode (index into SHIP_MODES + IN_STORE) and days to ship of each order: online
    orders take their mode's usual days, a few (more in the Q4 rush) 2-6 days more; a store
    sale is handed over at once."""
    n = len(orders["day"])
    mode = rng.choice(len(SHIP_MODES), size=n, p=SHIP_MODE_P)
    low, high = np.array(SHIP_DAYS).T
    days = low[mode] + (rng.random(n) * (high[mode] - low[mode] + 1)).astype(np.int64)
    late = rng.random(n) < model.day_late[orders["day"]]
    days += np.where(late, rng.integers(LATE_DAYS[0], LATE_DAYS[1] + 1, n), 0)
    online = orders["online"]
    return {"ship_mode": np.where(online, mode, len(SHIP_MODES)),
            "ship_days": np.where(online, days, 0)}


def _store_choice(model: _Model, days: np.ndarray) -> _Choice:
    """Store probabilities per day: size, regional trend, and only once the store is open."""
    years = model.day_years[days][:, None]
    is_open = model.store_open[None, :] <= model.dates[days][:, None]
    return _Choice.from_weights(model.store_size * (1 + model.store_trend) ** years * is_open)


def _order_lines(model: _Model, lines: dict[str, np.ndarray],
                 rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Per line: the toy (by the child's age and gender, region, season, festival), units,
    returns, discount, revenue and cost."""
    n = len(lines["day"])
    day, customer = lines["day"], lines["customer"]
    row = np.ravel_multi_index((model.day_context[day], model.customer_age[customer],
                                model.customer_gender[customer],
                                model.store_region[lines["store"]]), model.product_rows)
    product = model.products.sample(row, rng.random(n))
    units = rng.choice(np.arange(1, 6, dtype=np.int32), size=n, p=UNITS_P)
    units = np.where(rng.random(n) < model.day_returns[day], -units, units)
    discount = np.array(DISCOUNTS)[model.discounts.sample(model.day_discount[day], rng.random(n))]
    price = model.price[product]
    return {
        "product": product,
        "units": units,
        "unit_price": price,
        "discount": discount,
        "revenue": np.round(units * price * (1 - discount), 2),
        "cost": np.round(units * model.unit_cost[product], 2),
    }


def _deep_discounts(model: _Model, lines: dict[str, np.ndarray],
                    rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Clearance: some lines of low-margin toys sold at 40-50% off, which loses money; revenue
    follows the new discount (returns too: they are refunded at what was paid)."""
    n = len(lines["day"])
    deep = model.low_margin[lines["product"]] & (rng.random(n) < model.day_deep[lines["day"]])
    discount = np.where(deep, np.array(DEEP_DISCOUNTS)[rng.integers(0, len(DEEP_DISCOUNTS), n)],
                        lines["discount"])
    return {"discount": discount,
            "revenue": np.round(lines["units"] * lines["unit_price"] * (1 - discount), 2)}


def _sales_frame(model: _Model, lines: dict[str, np.ndarray]) -> pd.DataFrame:
    """The public sales columns; ids and labels are categoricals over the dimension ids."""
    labels = model.labels
    customer = lines["customer"]
    unrecorded = lines["unrecorded"]
    gender = np.where(unrecorded, len(GENDERS), model.customer_gender[customer])
    age = np.where(unrecorded, len(AGE_GROUPS), model.customer_age[customer])
    return pd.DataFrame({
        "sale_id": lines["sale_id"].astype(np.int64),
        "order_id": lines["order_id"].astype(np.int64),
        "date": model.dates[lines["day"]].astype("datetime64[ns]"),
        "store_id": pd.Categorical.from_codes(lines["store"], dtype=labels["store_id"]),
        "product_id": pd.Categorical.from_codes(lines["product"], dtype=labels["product_id"]),
        "customer_id": pd.Categorical.from_codes(customer, dtype=labels["customer_id"]),
        "employee_id": pd.Categorical.from_codes(lines["employee"], dtype=labels["employee_id"]),
        "channel": pd.Categorical.from_codes(lines["online"].astype(np.int8),
                                             dtype=labels["channel"]),
        "units": lines["units"].astype(np.int32),
        "unit_price": lines["unit_price"],
        "discount": lines["discount"],
        "revenue": lines["revenue"],
        "cost": lines["cost"],
        "customer_gender": pd.Categorical.from_codes(gender, dtype=labels["customer_gender"]),
        "customer_age_group": pd.Categorical.from_codes(age, dtype=labels["customer_age_group"]),
        "ship_date": (model.dates[lines["day"]] + lines["ship_days"].astype("timedelta64[D]"))
        .astype("datetime64[ns]"),
        "ship_mode": pd.Categorical.from_codes(lines["ship_mode"], dtype=labels["ship_mode"]),
        "segment": pd.Categorical.from_codes(model.customer_segment[customer],
                                             dtype=labels["segment"]),
    })


def _rechunk(frames: Iterable[pd.DataFrame], chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Regroup frames (each ending on an order boundary) into chunks of at most chunk_rows;
    a chunk holds only whole orders, and is longer only if a single order is."""
    pending: list[pd.DataFrame] = []
    pending_rows = 0
    for frame in frames:
        pending.append(frame)
        pending_rows += len(frame)
        if pending_rows < chunk_rows:
            continue
        buffer = pd.concat(pending, ignore_index=True)
        pos = 0
        while len(buffer) - pos >= chunk_rows:
            cut = _order_cut(buffer["order_id"].to_numpy(), pos, chunk_rows)
            yield buffer.iloc[pos:cut].reset_index(drop=True)
            pos = cut
        pending = [buffer.iloc[pos:]] if pos < len(buffer) else []
        pending_rows = len(buffer) - pos
    if pending_rows:
        yield pd.concat(pending, ignore_index=True)


def _order_cut(order_id: np.ndarray, pos: int, chunk_rows: int) -> int:
    """End of the longest run of whole orders from pos that fits in chunk_rows."""
    limit = pos + chunk_rows
    if limit >= len(order_id):
        return len(order_id)
    cut = int(np.searchsorted(order_id, order_id[limit], side="left"))
    if cut > pos:
        return cut
    return int(np.searchsorted(order_id, order_id[pos], side="right"))


# ---------------------------------------------------------------------------------------------
# Files


def generate(out_dir: Path, rows: int, seed: int = 7, start: dt.date = DEFAULT_START,
             end: dt.date = DEFAULT_END) -> dict[str, int]:
    """Write the dimension tables and sales/part-NNNNN.parquet under out_dir; return row counts.

    Only one chunk of sales is in memory at a time. Dates are written as parquet DATE (date32).
    """
    out_dir = Path(out_dir)
    sales_dir = out_dir / "sales"
    sales_dir.mkdir(parents=True, exist_ok=True)
    for old in sales_dir.glob("part-*.parquet"):
        old.unlink()
    dims = dimension_tables(seed)
    counts = {}
    for name, frame in dims.items():
        write_dated_parquet(frame, out_dir / f"{name}.parquet")
        counts[name] = len(frame)
    counts["sales"] = 0
    for i, chunk in enumerate(sales_chunks(rows, seed, start, end, dims=dims)):
        write_dated_parquet(chunk, sales_dir / f"part-{i:05d}.parquet")
        counts["sales"] += len(chunk)
    return counts
