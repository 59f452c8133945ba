{#- Non-null values of the column lie within [min_value, max_value], bounds included;
    either bound may be omitted. -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none) %}
{%- if min_value is none and max_value is none -%}
    {{ exceptions.raise_compiler_error("accepted_range on " ~ column_name ~ " needs min_value or max_value") }}
{%- endif -%}
select *
from {{ model }}
where {{ column_name }} is not null
    and not (
        1 = 1
        {%- if min_value is not none %} and {{ column_name }} >= {{ min_value }}{% endif %}
        {%- if max_value is not none %} and {{ column_name }} <= {{ max_value }}{% endif %}
    )
{% endtest %}
