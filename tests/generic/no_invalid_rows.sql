{#- No row has a value in column_name, the reason a staging row cannot be used
    (invalid_reason). Failing, the test stops with a message that counts the rows by
    reason: dbt's own failure message for a test gives only a number of rows. The query
    returns one row per reason with its count (for store_failures and dbt show). -#}
{% test no_invalid_rows(model, column_name) %}
    {%- set by_reason -%}
        select
            {{ column_name }} as reason,
            count(*) as n_rows
        from {{ model }}
        where {{ column_name }} is not null
        group by {{ column_name }}
    {%- endset -%}
    {%- if execute and flags.WHICH in ('build', 'test', 'retry') -%}
        {%- set counted = [] -%}
        {%- for row in run_query(by_reason ~ ' order by reason').rows -%}
            {%- do counted.append(row[0] ~ ': ' ~ row[1]) -%}
        {%- endfor -%}
        {%- if counted -%}
            {{ exceptions.raise_compiler_error(
                "Rows that cannot be used, by " ~ column_name ~ ": " ~ counted | join(', ')
                ~ ". See them with: select * from " ~ model ~ " where " ~ column_name
                ~ " is not null"
            ) }}
        {%- endif -%}
    {%- endif %}
{{ by_reason }}
{% endtest %}
