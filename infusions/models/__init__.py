"""Infusions models, one module per concept: the catalog (products, label maxima, protocols), the
clinic's policy, orders (with overrides and response measures), and the cycle days of orders (the
chairside record is the charting app's)."""

from infusions.models.catalog import LabelRate, Product, ProtocolStep, RateUnit, Route, TitrationProtocol
from infusions.models.cycles import CycleDay
from infusions.models.orders import (
    HIGHER_IS_BETTER,
    BlockOverride,
    OrderStatus,
    ResponseMeasure,
    ResponseRecord,
    TreatmentOrder,
    WeightPolicy,
)
from infusions.models.policy import InfusionPolicy

__all__ = [
    "HIGHER_IS_BETTER",
    "BlockOverride",
    "CycleDay",
    "InfusionPolicy",
    "LabelRate",
    "OrderStatus",
    "Product",
    "ProtocolStep",
    "RateUnit",
    "ResponseMeasure",
    "ResponseRecord",
    "Route",
    "TitrationProtocol",
    "TreatmentOrder",
    "WeightPolicy",
]
