{#- The model has exactly as many rows as another relation (optionally filtered). -#}
{% test equal_row_count(model, compare_model, compare_filter='1 = 1') %}
with

model_rows as (
    select count(*) as n_rows from {{ model }}
),

compare_rows as (
    select count(*) as n_rows from {{ compare_model }} where {{ compare_filter }}
)

select
    model_rows.n_rows as model_n_rows,
    compare_rows.n_rows as compare_n_rows
from model_rows
cross join compare_rows
where model_rows.n_rows != compare_rows.n_rows
{% endtest %}
