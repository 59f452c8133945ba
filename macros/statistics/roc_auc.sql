{#- The area under the ROC curve of each group of a relation, as a select of the group column
    and auc: the probability that a random positive scores above a random negative, ties
    counting one half (the Mann-Whitney U over n_positive x n_negative). Exact sums of whole
    counts, so the same on every engine; null for a group without both classes. CTEs are
    prefixed roc_auc_ so the query nests in a caller's CTE. -#}
{% macro roc_auc(relation, group_column, score, label) -%}
with

roc_auc_scores as (
    select
        {{ group_column }} as auc_group,
        {{ score }} as score,
        count(case when {{ label }} then 1 end) as n_positive,
        count(case when not {{ label }} then 1 end) as n_negative
    from {{ relation }}
    group by
        {{ group_column }},
        {{ score }}
),

roc_auc_ranked as (
    select
        auc_group,
        n_positive,
        n_negative,
        coalesce(sum(n_negative) over (
            partition by auc_group
            order by score
            rows between unbounded preceding and 1 preceding
        ), 0) as n_negative_below
    from roc_auc_scores
)

select
    auc_group as {{ group_column }},
    {{ safe_divide(
        'sum(2 * n_positive * n_negative_below + n_positive * n_negative)',
        '2 * sum(n_positive) * sum(n_negative)'
    ) }} as auc
from roc_auc_ranked
group by auc_group
{%- endmacro %}
