"""Demo products, protocols, the clinic policy and active orders for the demo patients (idempotent).

Product figures are from the labels' US prescribing information (see `PRODUCTS`); check a current
label before using any of them clinically.
"""

from datetime import date, timedelta
from decimal import Decimal as D

from django.utils import timezone

from clinic.errors import Conflict
from infusions import cycles, selectors, series, services
from infusions.models import (
    InfusionPolicy,
    LabelRate,
    OrderStatus,
    Product,
    ProtocolStep,
    TitrationProtocol,
    TreatmentOrder,
)
from patients.models import Patient
from scheduling.models import Site

# brand, manufacturer, route, concentration %, vial sizes g, HCPCS, label rows per indication prefix
# ("" = every other indication): (prefix, unit, starting rate, held min, step rates, each step min, maximum,
# note). Each row is the product's US prescribing information (section 2, Dosage and Administration), as
# shared DOMAIN.md summarises the first four; an empty held/each-step time means the label gives none.
PRODUCTS = (
    (
        "Gammagard Liquid",
        "Takeda",
        "iv",
        "10",
        ("1", "2.5", "5", "10", "20", "30"),
        "J1569",
        # Gammagard Liquid PI: 0.5 mL/kg/h for 30 min, then up every 30 min to 5 mL/kg/h (PI), to 5.4 for
        # MMN and CIDP.
        [
            ("", "ml_kg_h", "0.5", 30, (), 30, "5", "PI: 0.5 for 30 min, up every 30 min, max 5"),
            ("G61.81", "ml_kg_h", "0.5", 30, (), 30, "5.4", "CIDP: 0.5 for 30 min, up every 30 min, max 5.4"),
            ("G61.82", "ml_kg_h", "0.5", 30, (), 30, "5.4", "MMN: 0.5 for 30 min, up every 30 min, max 5.4"),
        ],
    ),
    (
        "Privigen",
        "CSL Behring",
        "iv",
        "10",
        ("5", "10", "20", "40"),
        "J1459",
        # Privigen PI: initial 0.5 mg/kg/min (0.3 mL/kg/h at 10%), then "increase gradually" (no time
        # given) to 8 mg/kg/min for PI and CIDP, 4 for chronic ITP.
        [
            ("", "mg_kg_min", "0.5", None, (), None, "8", "PI, CIDP: initial 0.5, max 8"),
            ("D69.3", "mg_kg_min", "0.5", None, (), None, "4", "ITP: initial 0.5, max 4"),
        ],
    ),
    (
        "Octagam 10%",
        "Octapharma",
        "iv",
        "10",
        ("2", "5", "10", "20", "30"),
        "J1568",
        # Octagam 10% PI, Table 1: 1 mg/kg/min for the first 30 min, then 2, 4 and 8 each for 30 min if
        # tolerated, up to 12 (chronic ITP); dermatomyositis: 1 for 30 min, then up every 30 min to 4 at most.
        [
            ("", "mg_kg_min", "1", 30, ("2", "4", "8"), 30, "12", "ITP: 1-2-4-8 every 30 min, max 12"),
            ("M33", "mg_kg_min", "1", 30, (), 30, "4", "Dermatomyositis: 1 for 30 min, up every 30, max 4"),
        ],
    ),
    (
        "Gamunex-C",
        "Grifols",
        "iv",
        "10",
        ("1", "2.5", "5", "10", "20", "40"),
        "J1561",
        # Gamunex-C PI: 1 mg/kg/min for the first 30 min (PI, ITP), 2 mg/kg/min for CIDP; then up to 8.
        [
            ("", "mg_kg_min", "1", 30, (), None, "8", "PI, ITP: 1 for 30 min, max 8"),
            ("G61.81", "mg_kg_min", "2", 30, (), None, "8", "CIDP: 2 for 30 min, max 8"),
        ],
    ),
    (
        "Panzyga",
        "Pfizer",
        "iv",
        "10",
        ("1", "2.5", "5", "10", "20", "30"),
        "J1576",
        # Panzyga PI: 1 mg/kg/min for 30 min, then up every 15-30 min (its ramp chart: 2, 4, 8) to 14
        # (PI), 8 (chronic ITP), 12 (CIDP).
        [
            (
                "",
                "mg_kg_min",
                "1",
                30,
                ("2", "4", "8"),
                15,
                "14",
                "PI: 1 for 30 min, 2-4-8 every 15 min, max 14",
            ),
            (
                "D69.3",
                "mg_kg_min",
                "1",
                30,
                ("2", "4"),
                15,
                "8",
                "ITP: 1 for 30 min, 2-4 every 15 min, max 8",
            ),
            ("G61.81", "mg_kg_min", "1", 30, ("2", "4", "8"), 15, "12", "CIDP: 1 for 30 min, 2-4-8, max 12"),
        ],
    ),
    (
        "Gammaplex 10%",
        "Bio Products Laboratory",
        "iv",
        "10",
        ("5", "10", "20"),
        "J1557",
        # Gammaplex 10% PI: 0.5 mg/kg/min for 15 min, then up every 15 min (1, 2, 4, 6) to 8 (PI, ITP).
        [
            (
                "",
                "mg_kg_min",
                "0.5",
                15,
                ("1", "2", "4", "6"),
                15,
                "8",
                "PI, ITP: 0.5 for 15 min, every 15, max 8",
            )
        ],
    ),
    (
        "Flebogamma DIF 10%",
        "Grifols",
        "iv",
        "10",
        ("5", "10", "20"),
        "J1572",
        # Flebogamma 10% DIF PI: 1 mg/kg/min for the first 30 min, then gradually up to 8.
        [("", "mg_kg_min", "1", 30, (), None, "8", "PI, ITP: 1 for 30 min, max 8")],
    ),
    # Subcutaneous immunoglobulin, self-given at home; an infusion order refuses it.
    ("Hizentra", "CSL Behring", "sc", "20", ("1", "2", "4", "10"), "J1559", []),
)

STANDARD = "Standard 0.5-1-2-4 then 5.4 mL/kg/h"
CAPPED = "At-risk capped 0.5-1-2 mL/kg/h"
KAWASAKI = "Kawasaki disease: over 10-12 h (AHA 2017)"
# name -> (steps, (shortest, longest) hours for a protocol given over a fixed time, else None)
PROTOCOLS = {
    # The DOMAIN worked example.
    STANDARD: ([("0.5", 30), ("1", 30), ("2", 30), ("4", 30), ("5.4", None)], None),
    # Boxed warning: minimum practicable rate for thrombosis and renal risk.
    CAPPED: ([("0.5", 30), ("1", 30), ("2", None)], None),
    # 2 g/kg as one infusion over 10-12 hours (McCrindle BW et al. Diagnosis, treatment, and long-term
    # management of Kawasaki disease: a scientific statement for health professionals from the American
    # Heart Association. Circulation 2017;135:e927-e999): a slow first hour, then the rate that ends the
    # bag at 10 hours, never above 4 mL/kg/h nor the label's maximum.
    KAWASAKI: ([("0.5", 30), ("1", 30), ("4", None)], (D("10"), D("12"))),
}

# mrn -> (brand, g/kg per cycle, split days, interval days, cycles or None for ongoing, premedication)
DEMO_ORDERS = {
    "MRN-100001": ("Gammagard Liquid", "1", 1, 21, None, "Acetaminophen 650 mg PO, cetirizine 10 mg PO"),
    "MRN-100002": ("Privigen", "1", 1, 21, None, "Acetaminophen 650 mg PO, diphenhydramine 25 mg PO"),
    "MRN-100003": ("Privigen", "1", 2, None, 1, "Acetaminophen 650 mg PO"),
    "MRN-100004": ("Gamunex-C", "0.4", 1, 28, None, "Acetaminophen 650 mg PO; 500 mL saline before"),
    "MRN-100005": ("Octagam 10%", "2", 5, 28, None, "Acetaminophen 650 mg PO, cetirizine 10 mg PO"),
    "MRN-100006": ("Privigen", "2", 5, None, 1, "Acetaminophen 650 mg PO"),
    "MRN-100008": ("Gammagard Liquid", "1", 1, 21, None, "Acetaminophen 650 mg PO"),
    # Children: a boy of 3 with Kawasaki disease (one dose), a girl of 9 with juvenile dermatomyositis.
    "MRN-100009": (
        "Gammagard Liquid",
        "2",
        1,
        None,
        1,
        "Acetaminophen 15 mg/kg PO, diphenhydramine 1 mg/kg PO",
    ),
    "MRN-100010": ("Octagam 10%", "2", 2, 28, None, "Acetaminophen 15 mg/kg PO, diphenhydramine 1 mg/kg PO"),
}
# Orders given by another protocol than the standard one.
DEMO_PROTOCOLS = {"MRN-100009": KAWASAKI}
# The demo calendar: mrn -> (cycles to book as a series, the first day searched, days after today).
# Every demo booking is a cycle of its order, booked as a desk would (checks, authorization, calendar).
# Bruno Castellanos (approved) is infused today (`demo.charting`), so his next two cycles come 21 and 42
# days on; the children are self-pay (no coverage on file): Leo's Kawasaki infusion as soon as a chair
# is free for its 11 hours, Maya's next two 2-day courses. The others wait: for the insurer's decision
# (Ada Whitfield, Esi Mensah, Chiara Novak, Farid Qureshi, Hiro Tanabe: see `demo.insurance`), or, for
# Dmitri Haldane (infused today), for a renewal: his partial approval ends before his next cycle is due.
CALENDAR = {"MRN-100002": (2, 21), "MRN-100009": (1, 1), "MRN-100010": (2, 1)}
# The order whose series the demo tests rebook.
SERIES_MRN = "MRN-100002"
# Demo orders started last week: the chairside demo charts the last opening day, at most 3 days back.
STARTED_DAYS_AGO = 7


def _products() -> dict[str, Product]:
    products = {}
    for brand, maker, route, pct, vials, hcpcs, rates in PRODUCTS:
        product, _ = Product.objects.get_or_create(
            brand=brand,
            defaults={
                "manufacturer": maker,
                "route": route,
                "concentration_percent": D(pct),
                "vial_sizes_g": [D(v) for v in vials],
                "hcpcs_code": hcpcs,
            },
        )
        for prefix, unit, start, held, steps, every, top, note in rates:
            # update_or_create: a database seeded before the labels' starting rates were kept gets them.
            LabelRate.objects.update_or_create(
                product=product,
                indication_prefix=prefix,
                defaults={
                    "unit": unit,
                    "start_rate": D(start),
                    "start_minutes": held,
                    "step_rates": [D(r) for r in steps],
                    "step_minutes": every,
                    "max_rate": D(top),
                    "note": note,
                },
            )
        products[brand] = product
    return products


def _protocols() -> dict[str, TitrationProtocol]:
    protocols = {}
    for name, (steps, over) in PROTOCOLS.items():
        low, high = over or (None, None)
        protocol, created = TitrationProtocol.objects.get_or_create(
            name=name, defaults={"over_hours_min": low, "over_hours_max": high}
        )
        if created:
            ProtocolStep.objects.bulk_create(
                ProtocolStep(protocol=protocol, position=i, rate_ml_per_kg_h=D(rate), minutes=minutes)
                for i, (rate, minutes) in enumerate(steps, start=1)
            )
        protocols[name] = protocol
    return protocols


def seed_infusions(*, site: Site | None = None, today: date | None = None, created_by=None) -> None:
    """Products with their label rates, the protocols, the policy, one active order per demo patient
    whose diagnosis fits (not the one with a contraindication), and, given a site, the orders' booked
    cycles there (`CALENDAR`). `today` is the site's local day. Creates nothing the second time."""
    today = today or timezone.localdate()
    products = _products()
    protocols = _protocols()
    policy = InfusionPolicy.current()
    if policy.at_risk_protocol_id is None:
        policy.at_risk_protocol = protocols[CAPPED]
        policy.save(update_fields=["at_risk_protocol"])
    start = today - timedelta(days=STARTED_DAYS_AGO)
    patients = Patient.objects.filter(mrn__in=DEMO_ORDERS).prefetch_related("diagnoses", "treatment_orders")
    for patient in patients:
        if patient.treatment_orders.all():
            continue
        brand, per_kg, days, interval, cycles, premedication = DEMO_ORDERS[patient.mrn]
        indication = patient.diagnoses.all()[0]
        try:
            services.order_create(
                patient=patient,
                indication=indication,
                product=products[brand],
                protocol=protocols[DEMO_PROTOCOLS.get(patient.mrn, STANDARD)],
                dose_grams_per_kg=D(per_kg),
                split_days=days,
                interval_days=interval,
                cycles=cycles,
                premedication=premedication,
                prescriber="Dr. Amara Velasquez",
                start_date=start,
                created_by=created_by,
            )
        except Conflict:
            # A blocked order needs a manager's reasoned override; the demo leaves that to a person.
            continue
    for mrn in CALENDAR if site is not None else ():
        _book_series(mrn, site=site, today=today, created_by=created_by)


def _book_series(mrn: str, *, site: Site, today: date, created_by) -> list[series.CycleOutcome]:
    """Book the order's next cycles (`CALENDAR`) through `series_book`, from the first slot its plan
    fits in the fortnight from the day `CALENDAR` gives. Running it again finds the first cycle booked
    and starts from it, so the series reports `already_booked` instead of booking twice."""
    count, after = CALENDAR[mrn]
    order = TreatmentOrder.objects.filter(patient__mrn=mrn, status=OrderStatus.ACTIVE).first()
    if order is None:
        return []
    booked = cycles.order_bookings(order.pk).filter(cycle_day__cycle__isnull=False).first()
    if booked is not None:
        first_start, chair = booked.start, booked.chair
    else:
        first_day = today + timedelta(days=after)
        slots = cycles.order_slots(
            order=selectors.order_list().get(pk=order.pk),
            sites=Site.objects.filter(pk=site.pk),
            date_from=first_day,
            date_to=first_day + timedelta(days=13),
            limit=1,
        )
        if not slots:
            return []
        first_start, chair = slots[0].start, slots[0].chair
    return series.series_book(
        order=order, first_start=first_start, cycles=count, chair=chair, created_by=created_by, note="Demo"
    )
