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

{#- The tables a tracker format reads when there is no landing folder (var
    raw_events_location): a list of (relation, table name) pairs, the tables of the format's
    own source YAML (models/staging/<format>/). -#}
{% macro tracker_event_tables() -%}
    {%- set format = var('event_format') -%}
    {%- if format == 'segment' -%}
        {{ return(adapter.dispatch('segment_event_tables', 'behavioral_warehouse')()) }}
    {%- elif format == 'snowplow' -%}
        {{ return(adapter.dispatch('snowplow_event_tables', 'behavioral_warehouse')()) }}
    {%- elif format == 'ga4' -%}
        {{ return(adapter.dispatch('ga4_event_tables', 'behavioral_warehouse')()) }}
    {%- elif format == 'amplitude' -%}
        {{ return(adapter.dispatch('amplitude_event_tables', 'behavioral_warehouse')()) }}
    {%- elif format == 'mixpanel' -%}
        {{ return(adapter.dispatch('mixpanel_event_tables', 'behavioral_warehouse')()) }}
    {%- elif format == 'posthog' -%}
        {{ return(adapter.dispatch('posthog_event_tables', 'behavioral_warehouse')()) }}
    {%- elif format == 'custom' -%}
        {{ return(adapter.dispatch('custom_event_tables', 'behavioral_warehouse')()) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(event_format_error(format)) }}
    {%- endif -%}
{%- endmacro %}

{% macro event_format_error(format) -%}
    {{ return("Unknown event_format '" ~ format ~ "': use contract, segment, snowplow, ga4, amplitude, mixpanel, posthog, or custom (with your own default__custom_event_contract macro).") }}
{%- endmacro %}

{#- event_format: custom, until the project defines its own mapping. -#}
{% macro default__custom_event_contract(record, source_table) -%}
    {{ exceptions.raise_compiler_error("event_format is custom: define default__custom_event_contract(record, source_table) in your project (see macros/events/formats/tracker_event_contract.sql).") }}
{%- endmacro %}

{% macro default__custom_event_tables() -%}
    {{ exceptions.raise_compiler_error("event_format is custom without raw_events_location: define default__custom_event_tables() in your project, returning (relation, table name) pairs.") }}
{%- endmacro %}

{#- A select of the raw rows of every table of the tracker format (macro tracker_event_tables),
    each as the event contract (macro tracker_event_contract), stacked. -#}
{% macro select_tracker_tables() -%}
    {%- for relation, table_name in tracker_event_tables() %}
    select {{ tracker_event_contract('tracker_records.record', "'" ~ table_name ~ "'") }}
    from (
        select {{ row_as_json('tracker_rows') }} as record
        from {{ relation }} as tracker_rows
    ) as tracker_records
        {%- if not loop.last %}
    union all
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}
