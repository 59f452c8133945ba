{#- The held-out rows the classifiers are evaluated on (model_sample evaluation: the latest
    labelled snapshot, persons never trained on), one row per model: the calibrated
    probability, the label, the recency-only baseline score and the decile of the
    probability. -#}
with

features as (
    select
        person_feature_id,
        snapshot_date,
        days_since_last_active,
        is_churned,
        is_upsold
    from {{ ref('fct_person_features') }}
    where model_sample = 'evaluation'
),

scores as (
    select
        person_feature_id,
        churn_probability,
        churn_model_version,
        upsell_probability,
        upsell_model_version
    from {{ ref('fct_person_scores') }}
),

model_rows as (
    -- the baseline ranks by recency alone: the longer away, the likelier to churn
    select
        features.person_feature_id,
        features.snapshot_date,
        'churn' as model_name,
        scores.churn_model_version as model_version,
        scores.churn_probability as probability,
        features.is_churned as is_positive,
        features.days_since_last_active as baseline_score
    from features
    inner join scores
        on features.person_feature_id = scores.person_feature_id
    where scores.churn_probability is not null

    union all

    -- and the more recent, the likelier to buy
    select
        features.person_feature_id,
        features.snapshot_date,
        'upsell' as model_name,
        scores.upsell_model_version as model_version,
        scores.upsell_probability as probability,
        features.is_upsold as is_positive,
        -features.days_since_last_active as baseline_score
    from features
    inner join scores
        on features.person_feature_id = scores.person_feature_id
    where scores.upsell_probability is not null
),

final as (
    select
        {{ surrogate_key(['model_name', 'person_feature_id']) }} as model_evaluation_score_id,
        person_feature_id,
        snapshot_date,
        model_name,
        model_version,
        probability,
        is_positive,
        baseline_score,
        cast(ntile(10) over (
            partition by model_name
            order by probability, person_feature_id
        ) as {{ dbt.type_int() }}) as probability_decile
    from model_rows
)

select * from final
