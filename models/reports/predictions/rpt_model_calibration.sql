{#- Calibration of each classifier on its held-out rows, by decile of the predicted
    probability: a calibrated model's mean prediction equals the observed share in every
    decile. Lift is the decile's observed share over the share of all evaluation rows. -#}
with

scores as (
    select * from {{ ref('int_model_evaluation_scores') }}
),

deciles as (
    select
        model_name,
        model_version,
        probability_decile,
        count(*) as n_rows,
        min(probability) as min_probability,
        max(probability) as max_probability,
        {{ exact_avg('probability') }} as mean_probability,
        {{ exact_avg('case when is_positive then 1 else 0 end') }} as observed_share
    from scores
    group by
        model_name,
        model_version,
        probability_decile
),

overall as (
    select
        model_name,
        {{ exact_avg('case when is_positive then 1 else 0 end') }} as observed_share
    from scores
    group by model_name
),

final as (
    select
        {{ surrogate_key(['deciles.model_name', 'deciles.probability_decile']) }}
            as model_calibration_id,
        deciles.model_name,
        deciles.model_version,
        deciles.probability_decile,
        deciles.n_rows,
        deciles.min_probability,
        deciles.max_probability,
        deciles.mean_probability,
        deciles.observed_share,
        deciles.mean_probability - deciles.observed_share as calibration_error,
        {{ safe_divide('deciles.observed_share', 'overall.observed_share') }} as lift
    from deciles
    inner join overall
        on deciles.model_name = overall.model_name
)

select * from final
