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
