{#- Value of one query-string parameter of a URL, as written (not URL-decoded); null
    when absent or empty. -#}
{% macro url_parameter(url, parameter) -%}
    {{ return(adapter.dispatch('url_parameter', 'behavioral_warehouse')(url, parameter)) }}
{%- endmacro %}

{% macro default__url_parameter(url, parameter) -%}
    nullif(regexp_extract({{ url }}, '[?&]{{ parameter }}=([^&#]*)', 1), '')
{%- endmacro %}
