{#- event_format: custom, until the project defines its own mapping. -#}
{% macro default__custom_event_contract(record, source_table) -%}
    {{ exceptions.raise_compiler_error("event_format is custom: define default__custom_event_contract(record, source_table) in your project (see macros/events/formats/tracker_event_contract.sql).") }}
{%- endmacro %}

{% macro default__custom_event_tables() -%}
    {{ exceptions.raise_compiler_error("event_format is custom without raw_events_location: define default__custom_event_tables() in your project, returning (relation, table name) pairs.") }}
{%- endmacro %}
