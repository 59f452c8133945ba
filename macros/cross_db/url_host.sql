{#- Lower-cased host of an absolute URL ('https://Shop.Example.com:8080/a?b' ->
    'shop.example.com'); null for relative or empty URLs. -#}
{% macro url_host(url) -%}
    lower({{ regex_extract(url, '^[A-Za-z][A-Za-z0-9+.-]*://([^/?#:]+)') }})
{%- endmacro %}
