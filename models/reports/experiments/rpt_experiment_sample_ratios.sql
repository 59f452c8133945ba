{#- Sample ratio mismatch: the analysed persons of each variant against the planned split,
    by a chi-square goodness-of-fit test over the experiment's variants (macro
    chi_square_p_value, df = variants - 1). A p-value under var experiment_srm_p_value flags
    the experiment: its assignment or its exposure logging is broken, and its results are
    marked untrustworthy (rpt_experiment_results). -#}
with

variants as (
    select
        experiment_variant_id,
        experiment_key,
        variant,
        is_control,
        planned_share,
        n_variants
    from {{ ref('dim_experiment_variants') }}
),

exposures as (
    select
        experiment_key,
        variant,
        is_analysed,
        exclusion_reason
    from {{ ref('fct_experiment_exposures') }}
),

analysed_counts as (
    select
        experiment_key,
        variant,
        count(*) as n_persons
    from exposures
    where is_analysed
    group by experiment_key, variant
),

excluded_counts as (
    select
        experiment_key,
        count(case when exclusion_reason = 'multiple_variants' then 1 end)
            as n_persons_multiple_variants,
        count(case when exclusion_reason = 'undeclared_variant' then 1 end)
            as n_persons_undeclared_variant
    from exposures
    group by experiment_key
),

observed as (
    select
        variants.experiment_variant_id,
        variants.experiment_key,
        variants.variant,
        variants.is_control,
        variants.planned_share,
        variants.n_variants,
        coalesce(analysed_counts.n_persons, 0) as n_persons,
        cast(sum(coalesce(analysed_counts.n_persons, 0)) over (
            partition by variants.experiment_key
        ) as bigint) as n_experiment_persons
    from variants
    left join analysed_counts
        on
            variants.experiment_key = analysed_counts.experiment_key
            and variants.variant = analysed_counts.variant
),

expected as (
    select
        *,
        n_experiment_persons * planned_share as expected_persons
    from observed
),

chi_squares as (
    select
        *,
        sum(
            (n_persons - expected_persons) * (n_persons - expected_persons)
            / nullif(expected_persons, 0)
        ) over (partition by experiment_key) as chi_square
    from expected
),

tested as (
    select
        *,
        {{ chi_square_p_value(
            'chi_square', 'n_variants - 1', var('experiment_max_variants') - 1
        ) | indent(8) }} as srm_p_value
    from chi_squares
),

final as (
    select
        tested.experiment_variant_id,
        tested.experiment_key,
        tested.variant,
        tested.is_control,
        tested.planned_share,
        tested.n_persons,
        tested.expected_persons,
        {{ safe_divide('tested.n_persons', 'tested.n_experiment_persons') }} as observed_share,
        tested.n_experiment_persons,
        coalesce(excluded_counts.n_persons_multiple_variants, 0) as n_persons_multiple_variants,
        coalesce(excluded_counts.n_persons_undeclared_variant, 0)
            as n_persons_undeclared_variant,
        tested.chi_square,
        tested.srm_p_value,
        coalesce(tested.srm_p_value < {{ var('experiment_srm_p_value') }}, false) as has_srm
    from tested
    left join excluded_counts
        on tested.experiment_key = excluded_counts.experiment_key
)

select * from final
