{#- The behavioral segments in priority order, the one place that order is kept: a person
    whose flags put them in several segments gets the first one as primary_segment, and
    segment_priority is the 1-based position here. Each entry: name (primary_segment value,
    flag column is_<name>) and label (display name). The last entry is the fallback, true
    when no other flag is. See macros/_macros.yml for why this order. -#}
{% macro segment_priority_order() -%}
    {%- do return([
        {'name': 'at_risk', 'label': 'At Risk'},
        {'name': 'new', 'label': 'New'},
        {'name': 'lapsed', 'label': 'Lapsed'},
        {'name': 'power_user', 'label': 'Power User'},
        {'name': 'engaged_high_frequency', 'label': 'Engaged High Frequency'},
        {'name': 'active_recent', 'label': 'Active Recent'},
        {'name': 'occasional', 'label': 'Occasional'},
    ]) -%}
{%- endmacro %}
