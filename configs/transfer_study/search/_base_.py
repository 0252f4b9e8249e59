# The supernets and searches of the CPU transfer study (issue 12 item 5), one place for their settings. Each space
# has a *searching* supernet, whose evolution search picks the study's best and worst architectures and whose
# weights the fine-tuned backbones inherit, and a second method's supernet trained at equal compute (network passes
# per image: Pi-NAS 8 per batch, SPOS 3) that scores the same architectures for comparison. Each supernet is
# searched twice: its config's evolution search (work dir's search/), and a table search over the study's
# architectures (search_study/), which gives every study architecture a score and a rank.
resnest_pinas_epochs = 3   # the demo's supernet (`make demo`): 3 x 8 = 24 passes per image
resnest_spos_epochs = 8    # 8 x 3 = 24
track1_spos_epochs = 10    # 10 x 3 = 30
track1_pinas_epochs = 4    # 4 x 8 = 32
study_search_dir = 'search_study'
# ResNeSt space (pinas_resnest_tiny): the best two and worst two of the Pi-NAS evolution search
# (work_dirs/transfer_study/pinas/search/ranked.json) and the four uniform architectures.
resnest_study_archs = ['223013', '023113', '230323', '102120',  # ranks 1, 2, 29, 30 of 30 (kNN 24.1-23.4 %)
                       '000000', '111111', '222222', '333333']
# Track-1 space (track1_resnet20): the best two and worst two of the SPOS evolution search
# (work_dirs/transfer_study/spos_track1_10e/search/ranked.json) and four architectures whose every stage takes the
# same quarter of its widths (the smallest, ..., the largest of each stage), so that costs differ up to 16x.
track1_study_archs = [
    '12-8-8-4-4-4-16-8-8-12-12-8-16-52-36-32-52-56-60-60',  # ranks 1, 2, 29, 30 of 30 (top-1 44.8-35.8 %)
    '12-8-12-4-8-12-16-20-8-12-12-28-8-52-36-32-44-56-60-32',
    '8-4-4-4-4-8-4-28-8-24-8-4-4-28-24-16-64-28-8-4',
    '16-8-8-8-4-12-16-8-8-12-12-4-8-52-36-32-12-32-4-40',
    '4-4-4-4-4-4-4-8-8-8-8-8-8-16-16-16-16-16-16-16',
    '8-8-8-8-8-8-8-16-16-16-16-16-16-32-32-32-32-32-32-32',
    '12-12-12-12-12-12-12-24-24-24-24-24-24-48-48-48-48-48-48-48',
    '16-16-16-16-16-16-16-32-32-32-32-32-32-64-64-64-64-64-64-64',
]

# The `search` keys of a table search over the study's architectures into the work dir's `study_search_dir`.
resnest_table_search = dict(out_dir=study_search_dir, top_n=len(resnest_study_archs),
                            strategy=dict(_delete_=True, type='table', archs=resnest_study_archs))
track1_table_search = dict(out_dir=study_search_dir, top_n=len(track1_study_archs),
                           strategy=dict(_delete_=True, type='table', archs=track1_study_archs))
