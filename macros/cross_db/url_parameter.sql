{#- Value of one query-string parameter of a URL, as written (not URL-decoded); null
    when absent or empty. -#}
{% macro url_parameter(url, parameter) -%}
    {{ regex_extract(url, '[?&]' ~ parameter ~ '=([^&#]*)') }}
{%- endmacro %}
