{#- The person bucket (0 to buckets - 1) of a person, from `person_md5`, the md5 hex of its
    person_id: the k-th of `buckets` equal ranges of md5 values, with bounds of four hex
    digits (k * 65536 // buckets) compared as strings, the same on every engine. -#}
{% macro person_bucket_number(person_md5, buckets) -%}
    {%- if buckets > 1 -%}
    case
        {%- for bucket in range(buckets - 1) %}
        when {{ person_md5 }} < '{{ '%04x' | format((bucket + 1) * 65536 // buckets) }}' then {{ bucket }}
        {%- endfor %}
        else {{ buckets - 1 }}
    end
    {%- else -%}
    0
    {%- endif -%}
{%- endmacro %}
