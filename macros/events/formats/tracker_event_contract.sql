{#- The event contract (every column of macro event_contract_columns, as text, in order) read
    from one record of a tracker's own format (var event_format): `record` is the record as
    JSON object text (a JSON line of an export, or a row of the tracker's table through macro
    row_as_json), and `source_table` a SQL string of the table it came from ('tracks',
    'pages', ...; null for a landing file). Each format is a dispatched macro
    <format>_event_contract(record, source_table) in macros/events/formats/<format>.sql.
    event_format: custom calls custom_event_contract, which a project defines for a tracker
    of its own (and custom_event_tables for its tables). -#}
{% macro tracker_event_contract(record, source_table='null') -%}
    {%- set format = var('event_format') -%}
    {#- adapter.dispatch needs its macro name as a literal (dbt resolves it when parsing) -#}
    {%- if format == 'segment' -%}
        {{ return(adapter.dispatch('segment_event_contract', 'behavioral_warehouse')(record, source_table)) }}
    {%- elif format == 'snowplow' -%}
        {{ return(adapter.dispatch('snowplow_event_contract', 'behavioral_warehouse')(record, source_table)) }}
    {%- elif format == 'ga4' -%}
        {{ return(adapter.dispatch('ga4_event_contract', 'behavioral_warehouse')(record, source_table)) }}
    {%- elif format == 'amplitude' -%}
        {{ return(adapter.dispatch('amplitude_event_contract', 'behavioral_warehouse')(record, source_table)) }}
    {%- elif format == 'mixpanel' -%}
        {{ return(adapter.dispatch('mixpanel_event_contract', 'behavioral_warehouse')(record, source_table)) }}
    {%- elif format == 'posthog' -%}
        {{ return(adapter.dispatch('posthog_event_contract', 'behavioral_warehouse')(record, source_table)) }}
    {%- elif format == 'custom' -%}
        {{ return(adapter.dispatch('custom_event_contract', 'behavioral_warehouse')(record, source_table)) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(event_format_error(format)) }}
    {%- endif -%}
{%- endmacro %}
