"""The annual summary (年度工作总结): rounds per agency and year, each unit's summary drafted from
the year's data with cited figures, reviewed by the unit head, the leader in charge and the
office, compiled into the agency's summary and next year's draft plan.

The interface the meetings app uses is listed in `luoshi.summaries.selectors`' docstring."""
