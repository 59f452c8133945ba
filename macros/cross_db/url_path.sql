{#- Path of a URL without query string or fragment ('https://x.com/a/b?c=1' -> '/a/b');
    '/' for an absolute URL with no path; relative URLs starting with '/' are accepted;
    null otherwise. -#}
{% macro url_path(url) -%}
    {{ return(adapter.dispatch('url_path', 'behavioral_warehouse')(url)) }}
{%- endmacro %}

{% macro default__url_path(url) -%}
    case
        when regexp_matches({{ url }}, '^[A-Za-z][A-Za-z0-9+.-]*://')
            then coalesce(
                nullif(regexp_extract({{ url }}, '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*(/[^?#]*)', 1), ''),
                '/'
            )
        when {{ url }} like '/%' then regexp_extract({{ url }}, '^([^?#]*)', 1)
    end
{%- endmacro %}
