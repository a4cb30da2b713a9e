"""Study files, their validation and the case table."""

from evchain.study.load import Study, VariantSpec, load_study

__all__ = ["Study", "VariantSpec", "load_study"]
