{#- The rules the rows of an incremental model are built under, in one place: the vars that
    decide what a stored row holds (validation bounds, the session rule, the engaged-session
    thresholds, rage clicks, the event format), and the checksums of the seeds that do
    (tracking plan, event-name aliases, funnel steps, channel rules). Rows stored under one
    set of rules and rows added under another would mix silently, so the event_incremental
    materialization stores these with each model and an incremental run fails when they
    changed (macro check_incremental_rules). A change of this project's macros (a new
    version of the package) is not tracked: its release notes say when to --full-refresh.
    Returns a dict: name -> value (a var's value, or 'checksum <sha256>' of a seed). -#}
{% macro incremental_rules() -%}
    {%- set rule_vars = [
        'event_format', 'mixpanel_project_timezone', 'quarantine_unknown_event_names',
        'max_clock_skew_hours', 'earliest_event_at', 'max_event_revenue',
        'max_click_position_pixels', 'max_identifier_length',
        'session_timeout_minutes', 'session_max_length_hours', 'use_tracker_session_id',
        'engaged_session_min_seconds', 'engaged_session_min_conversions',
        'engaged_session_min_page_views', 'rage_click_window_seconds', 'rage_click_min_clicks',
    ] -%}
    {%- set rule_seeds = [
        'tracking_plan', 'event_name_aliases', 'funnel_steps', 'ga4_source_categories',
        'search_engine_referrers',
    ] -%}
    {%- set rules = {} -%}
    {%- for name in rule_vars -%}
        {%- do rules.update({name: var(name)}) -%}
    {%- endfor -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'seed' and node.name in rule_seeds
        and node.package_name == 'behavioral_warehouse' -%}
        {%- do rules.update({'seed ' ~ node.name: 'checksum ' ~ node.checksum.checksum}) -%}
    {%- endfor -%}
    {{ return(rules) }}
{%- endmacro %}
