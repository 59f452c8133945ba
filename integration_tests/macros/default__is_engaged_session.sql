{#- A team's own engaged-session rule in place of the package's (GA4's): at least two page
    views, whatever the duration or conversions. dbt_project.yml's dispatch config searches
    this project before the package for the package's dispatched macros; expected_sessions
    shows the sessions it changes (u_1's second, u_3's first: over 10 s, one page view). -#}
{% macro default__is_engaged_session(duration_seconds, n_conversions, n_page_views) -%}
    ({{ n_page_views }} >= 2)
{%- endmacro %}
