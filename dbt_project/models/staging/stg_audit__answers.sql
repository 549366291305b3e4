with

source as (
    select * from {{ source('audit', 'answers') }}
),

renamed as (
    select
        submission_key,
        file_sha256,
        source_row,
        question_id,
        answer_code,
        answer_status
    from source
)

select * from renamed
