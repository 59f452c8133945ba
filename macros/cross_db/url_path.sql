{#- Path of a URL without query string or fragment ('https://x.com/a/b?c=1' -> '/a/b');
    '/' for an absolute URL with no path; relative URLs starting with '/' are accepted;
    null otherwise. -#}
{% macro url_path(url) -%}
    case
        when {{ regex_matches(url, '^[A-Za-z][A-Za-z0-9+.-]*://') }}
            then coalesce({{ regex_extract(url, '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*(/[^?#]*)') }}, '/')
        when {{ url }} like '/%' then {{ regex_extract(url, '^([^?#]*)') }}
    end
{%- endmacro %}
