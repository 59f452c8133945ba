{#- GA4's engaged session: it lasted longer than engaged_session_min_seconds, or had at
    least engaged_session_min_conversions conversion events, or at least
    engaged_session_min_page_views page views. Override by defining
    <adapter>__is_engaged_session (or default__) in your own project. -#}
{% macro is_engaged_session(duration_seconds, n_conversions, n_page_views) -%}
    {{ return(adapter.dispatch('is_engaged_session', 'behavioral_warehouse')(
        duration_seconds, n_conversions, n_page_views
    )) }}
{%- endmacro %}

{% macro default__is_engaged_session(duration_seconds, n_conversions, n_page_views) -%}
    (
        {{ duration_seconds }} > {{ var('engaged_session_min_seconds') }}
        or {{ n_conversions }} >= {{ var('engaged_session_min_conversions') }}
        or {{ n_page_views }} >= {{ var('engaged_session_min_page_views') }}
    )
{%- endmacro %}
