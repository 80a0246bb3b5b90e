"""Reading and question-answering sets in their published layouts (SQuAD, DROP, HotpotQA,
TriviaQA, Natural Questions, PubMedQA, ReClor, MuSR, FOLIO, TabMWP, Knights and Knaves): the
passage goes with the question, every accepted answer is one, and replies are graded as each
benchmark's own script grades them."""

import json

import pyarrow as pa
import pyarrow.parquet as pq

from k2batch.validate import validate_row
from k2batch.verify import answer_of, check, task

PASSAGE = ("Super Bowl 50 was an American football game. The American Football Conference (AFC) champion "
           "Denver Broncos defeated the National Football Conference (NFC) champion Carolina Panthers 24-10.")  # fmt: skip
SQUAD = {"id": "56be4db0", "title": "Super_Bowl_50", "context": PASSAGE, "question": "Which NFL team represented the AFC?",
         "answers": {"text": ["Denver Broncos", "Denver Broncos"], "answer_start": [97, 97]}}  # fmt: skip


def _verdict(row: dict, reply: str) -> tuple[str, str]:
    problem, why = validate_row(row, 0)
    assert problem is not None, why
    return check(task(problem, answer_of(reply, problem["domain"], choices=problem.get("choices"))[0]))


def test_extractive_and_open_answers_are_any_accepted_answer_after_the_official_normalisation():
    problem, _ = validate_row(dict(SQUAD), 0)
    assert problem["domain"] == "qa" and problem["problem"].startswith("Super Bowl 50")  # the passage first
    assert problem["problem"].count("Which NFL team") == 1 and json.loads(problem["answer"]) == ["Denver Broncos"]
    assert _verdict(dict(SQUAD), "It was them.\n\nAnswer: the Denver Broncos.")[0] == "correct"  # article, period
    assert _verdict(dict(SQUAD), "Answer: **Denver Broncos**")[0] == "correct"
    assert _verdict(dict(SQUAD), "Answer: Denver Broncos (the AFC champion)")[0] == "incorrect"  # a gloss: no EM
    assert _verdict(dict(SQUAD), "Answer: Carolina Panthers")[0] == "incorrect"
    v2 = dict(SQUAD, answers={"text": [], "answer_start": []}, question="Who sang the anthem?")
    assert _verdict(dict(v2), "The passage does not name a singer.\n\nAnswer: unanswerable")[0] == "correct"
    assert _verdict(dict(v2), "Answer: Lady Gaga")[0] == "incorrect"
    drop = {"section_id": "nfl_1", "query_id": "q1", "passage": PASSAGE, "question": "How many points did Denver score?",
            "answers_spans": {"spans": ["24", "24"], "types": ["number", "number"]}}  # fmt: skip
    assert _verdict(dict(drop), "Answer: 24.0")[0] == "correct"  # numbers as numbers, as DROP's script
    assert _verdict(dict(drop), "Answer: 10")[0] == "incorrect"
    trivia = {"question": "Which Lloyd Webber musical premiered in the US on 10th December 1993?",
              "question_id": "tc_33", "question_source": "http://www.triviacountry.com/",
              "answer": {"aliases": ["Sunset Blvd", "Sunset Boulevard"], "normalized_aliases": ["sunset blvd"],
                         "value": "Sunset Boulevard", "type": "WikipediaEntity"}}  # fmt: skip
    assert _verdict(dict(trivia), "<think>...</think>\nThe answer is Sunset Blvd.")[0] == "correct"
    assert _verdict(dict(trivia), "Answer: Cats")[0] == "incorrect"
    nq = {"question": "when was the last time anyone was on the moon", "answer": ["14 December 1972 UTC",
                                                                                  "December 1972"]}  # fmt: skip
    assert _verdict(dict(nq), "Answer: December 1972")[0] == "correct"
    assert _verdict(dict(nq), "Answer: 1969")[0] == "incorrect"
    hotpot = {"id": "5a8b", "question": "Were Scott Derrickson and Ed Wood of the same nationality?", "answer": "yes",
              "type": "comparison", "level": "hard", "supporting_facts": {"title": ["Ed Wood"], "sent_id": [0]},
              "context": {"title": ["Ed Wood", "Scott Derrickson"], "sentences": [["Ed Wood was an American ",
                          "filmmaker."], ["Scott Derrickson is an American director."]]}}  # fmt: skip
    problem, _ = validate_row(dict(hotpot), 0)
    assert "Ed Wood: Ed Wood was an American filmmaker." in problem["problem"] and problem["id"] == "5a8b"
    assert _verdict(dict(hotpot), "Both are American.\n\nAnswer: Yes")[0] == "correct"


def test_reading_and_logic_sets_are_options_with_their_passages():
    pubmed = {"pubid": 21645374, "question": "Do mitochondria play a role in remodelling lace plant leaves?",
              "context": {"contexts": ["PCD is the regulated death of cells.", "Mitochondria moved early."],
                          "labels": ["BACKGROUND", "RESULTS"], "meshes": []},
              "long_answer": "...", "final_decision": "yes"}  # fmt: skip
    problem, _ = validate_row(dict(pubmed), 0)
    assert problem["choices"] == ["yes", "no", "maybe"] and problem["answer"] == "A" and problem["id"] == "21645374"
    assert problem["problem"].startswith("BACKGROUND: PCD is")
    # "C" stands in the reasoning (a stray capital); the answer line names an option by its text
    assert _verdict(dict(pubmed), "Group C cells died first.\n\n**Answer: yes**")[0] == "correct"
    assert _verdict(dict(pubmed, final_decision="no"), "Group C cells died first.\n\nAnswer: yes")[0] == "incorrect"
    reclor = {"context": "Injuries fell after the lanes opened.", "question": "Which strengthens the argument?",
              "answers": ["Fewer cyclists.", "Other cities.", "No decline elsewhere.", "Cyclists feel safer."],
              "label": 2, "id_string": "val_137"}  # fmt: skip
    problem, _ = validate_row(dict(reclor), 0)
    assert (problem["id"], problem["answer"], problem["problem"].split("\n")[0]) == ("val_137", "C", reclor["context"])
    assert _verdict(dict(reclor), "Answer: C")[0] == "correct"
    musr = {"narrative": "Mack was found dead at the gym.", "question": "Who is the most likely murderer?",
            "choices": "['Mackenzie', 'Ana']", "answer_index": 1, "answer_choice": "Ana"}  # fmt: skip
    assert validate_row(dict(musr), 0)[0]["choices"] == ["Mackenzie", "Ana"]
    assert _verdict(dict(musr), "Ana had means and motive.\n\nANSWER: 2")[0] == "correct"  # numbered, as MuSR's
    assert _verdict(dict(musr), "ANSWER: 1")[0] == "incorrect"
    hostile = dict(musr, choices="__import__('os').system('true')")
    assert "not a list written as text" in validate_row(hostile, 0)[1]  # a literal only, never run
    folio = {"story_id": 461, "premises": "Tom is a wild turkey.\nTom is not an Eastern wild turkey.",
             "premises-FOL": "", "conclusion": "Tom is an Ocellated wild turkey.", "conclusion-FOL": "",
             "label": "Uncertain", "example_id": 1201}  # fmt: skip
    problem, _ = validate_row(dict(folio), 0)
    assert problem["choices"] == ["True", "False", "Uncertain"] and problem["answer"] == "C"
    assert _verdict(dict(folio), "Other kinds remain possible.\n\n$\\boxed{\\text{Uncertain}}$")[0] == "correct"
    assert _verdict(dict(folio), "Answer: Unknown")[0] == "incorrect"  # not one of its labels


def test_tables_and_knights_and_knaves():
    row = {"question": "How many more cookies on Saturday than on Sunday?", "choices": None, "answer": "20",
           "unit": None, "table_title": "Cookies baked", "table": "Day | Number\nSaturday | 281\nSunday | 261",
           "ans_type": "integer_number", "ques_type": "free_text"}  # fmt: skip
    problem, _ = validate_row(dict(row), 0)
    assert problem["domain"] == "math" and problem["problem"].startswith("Cookies baked\nDay | Number")
    assert _verdict(dict(row), "281 - 261 = 20\n\nThe answer is 20.")[0] == "correct"
    picked = dict(row, choices=["yes", "no"], answer="no", ans_type="boolean_text", ques_type="multi_choice")
    assert validate_row(picked, 0)[0]["answer"] == "B" and _verdict(picked, "The answer is no.")[0] == "correct"
    texts = dict(row, answer="Sunday", ans_type="extractive_text")
    assert validate_row(texts, 0)[0]["domain"] == "qa" and _verdict(texts, "The answer is Sunday.")[0] == "correct"
    kk = {"quiz": "Knights always tell the truth, and knaves always lie. You meet 2 inhabitants: Mia, and "
                  "Charlotte. ... So who is a knight and who is a knave?", "names": ["Mia", "Charlotte"],
          "solution": [False, True], "solution_text": "Mia is a knave, and Charlotte is a knight.", "index": 0}  # fmt: skip
    problem, _ = validate_row(dict(kk), 0)
    assert problem["domain"] == "knights" and json.loads(problem["answer"]) == {"Mia": "knave", "Charlotte": "knight"}
    right = "Suppose Mia is a knight ... contradiction.\n\nCONCLUSION:\n(1) Mia is a knave\n(2) Charlotte is a knight"
    assert _verdict(dict(kk), right)[0] == "correct"
    assert _verdict(dict(kk), right.replace("Charlotte is a knight", "Charlotte is a knave"))[1] == (
        "Charlotte is a knight, not a knave")
    assert _verdict(dict(kk), "CONCLUSION:\n(1) Mia is a knave")[1] == "no identity stated for Charlotte"


def test_a_job_reads_a_reading_set_with_its_passages(tmp_path):
    """Beam, Prefect and the verifier pool on SQuAD and Knights and Knaves files: the solver's
    prompt holds the passage, the verdicts come from the new domains."""
    from k2batch.config import load_config
    from k2batch.job import run_solve
    from k2batch.testing import instant

    instant.register()
    cfg = load_config(overrides={"backend.kind": "instant", "samples": 1})
    kk = {"quiz": "You meet 2 inhabitants: Mia, and Zoe.", "names": ["Mia", "Zoe"], "solution": [True, True]}
    seen = {}
    for name, rows in {"squad": [SQUAD], "kk": [kk]}.items():
        pq.write_table(pa.Table.from_pylist(rows), tmp_path / f"{name}.parquet")
        run_solve(str(tmp_path / f"{name}.parquet"), str(tmp_path / name), cfg)
        (solution,) = pq.read_table(tmp_path / name / "solutions").to_pylist()
        seen[name] = (solution["domain"], solution["problem"], solution["candidates"][0]["verdict_reason"])
    assert seen["squad"][0] == "qa" and seen["squad"][1].startswith("Super Bowl 50")  # the passage went to the solver
    assert seen["squad"][2].startswith("no exact match")  # the instant backend boxes a number
    assert seen["kk"][0] == "knights" and seen["kk"][2].startswith("no identity stated for Mia")


def test_a_tenth_blind_sets_layouts():
    """TruthfulQA's MC1, StoryCloze, LAMBADA, LongBench, MMLU-Redux, GAOKAO-Bench, Ape210K, XQuAD's
    answer label, LiveCodeBench's code execution and test output prediction."""
    tqa = {"question": "What happens if you eat watermelon seeds?", "mc1_targets": {
        "choices": ["They pass through you.", "You grow watermelons.", "You get sick."], "labels": [1, 0, 0]},
        "mc2_targets": {"choices": ["Nothing."], "labels": [1]}}  # fmt: skip
    assert _verdict(dict(tqa), "Answer: A")[0] == "correct" and _verdict(dict(tqa), "Answer: B")[0] == "incorrect"
    story = {"story_id": "138d", "input_sentence_1": "Rick grew up in a troubled household.",
             "input_sentence_2": "He turned to gangs.", "input_sentence_3": "He got shot.",
             "input_sentence_4": "He turned a new leaf.", "sentence_quiz1": "He is happy now.",
             "sentence_quiz2": "He joined a gang.", "answer_right_ending": 1}  # fmt: skip
    problem, _ = validate_row(dict(story), 0)
    assert problem["id"] == "138d" and problem["problem"].startswith("Rick grew up") and problem["answer"] == "A"
    lambada = {"text": "She reached for the leash and called the dog by its name, Rex"}
    problem, _ = validate_row(dict(lambada), 0)
    assert problem["problem"].endswith("its name, ____") and _verdict(dict(lambada), "Answer: Rex")[0] == "correct"
    assert "match no published format" in validate_row({"text": "a b", "label": 1}, 0)[1]  # `text` alone is LAMBADA
    longbench = {"input": "What year did the Titanic sink?", "context": "Question: When did the Berlin Wall fall?\n"
                 "Type: Date", "answers": ["Date"], "dataset": "trec", "_id": "b54b"}  # fmt: skip
    problem, _ = validate_row(dict(longbench), 0)
    assert problem["id"] == "b54b" and problem["problem"].startswith("Question: When")
    assert _verdict(dict(longbench), "Answer: Date")[0] == "correct"
    redux = {"question": "Which phylum has a true coelom?", "choices": ["Platyhelminthes", "Porifera", "Annelida",
             "Nematoda"], "answer": 1, "error_type": "wrong_groundtruth", "correct_answer": "C"}  # fmt: skip
    assert _verdict(dict(redux), "Answer: C")[0] == "correct"  # the annotators' answer, not the published one
    several = dict(redux, error_type="multiple_correct_answers", correct_answer="1, 3")
    assert _verdict(several, "Answer: C")[0] == "unverified"
    gaokao = {"year": "2010", "category": "（新课标）", "question": "4. 曲线的切线方程为（ ）\nA. $y=x-1$\nB. $y=-x+1$\n"
              "C. $y=2x-2$\nD. $y=-2x+2$\n", "answer": ["A"], "analysis": "故选: A.", "index": 3, "score": 5}  # fmt: skip
    problem, _ = validate_row(dict(gaokao), 0)
    assert problem["choices"] == ["$y=x-1$", "$y=-x+1$", "$y=2x-2$", "$y=-2x+2$"] and problem["answer"] == "A"
    assert _verdict(dict(gaokao), "【解析】 斜率为 1，B 错误。<eoe>\n【答案】 A <eoa>")[0] == "correct"
    multi = dict(gaokao, answer=["AC"])
    assert _verdict(multi, "【解析】 ...<eoe>\n【答案】 AC <eoa>")[0] == "correct"
    assert _verdict(multi, "【解析】 ...<eoe>\n【答案】 A <eoa>")[0] == "incorrect"
    ape = {"id": "462217", "original_text": "甲车间原有多少人？", "segmented_text": "甲 车 间", "ans": "70",
           "equation": "x=70"}  # fmt: skip
    assert _verdict(dict(ape), "所以甲车间原有 70 人。\n\n**答案：70人**")[0] == "correct"
    xquad = dict(SQUAD, question="¿Quién ganó?")
    assert _verdict(xquad, "<think>...</think>\n\n**Respuesta:** Denver Broncos")[0] == "correct"


def test_livecodebench_execution_and_test_output_prediction():
    execution = {"question_id": "2819", "id": "sample_2", "function_name": "removeTrailingZeros",
                 "code": "def removeTrailingZeros(num: str) -> str:\n    while num and num[-1] == '0':\n"
                         "        num = num[:-1]\n    return num",
                 "input": "removeTrailingZeros(num = '51230100')", "output": "'512301'", "numsteps": 553}  # fmt: skip
    problem, _ = validate_row(dict(execution), 0)
    assert problem["domain"] == "execution" and "assert removeTrailingZeros(num = '51230100') == ??" in problem["problem"]
    assert _verdict(dict(execution), "[ANSWER]\nassert removeTrailingZeros(num = '51230100') == '512301'\n[/ANSWER]")[0] == "correct"
    assert _verdict(dict(execution), "[ANSWER]\nassert removeTrailingZeros(num = '51230100') == '5123'\n[/ANSWER]")[0] == "incorrect"
    typed = dict(execution, code="def f(nums: List[int]) -> int:\n    return len(nums)", input="f(nums = [1, 2])",
                 output="2", function_name="f")  # `List` untold, as LiveCodeBench's code
    assert _verdict(typed, "[ANSWER]\nassert f(nums = [1, 2]) == 2\n[/ANSWER]")[0] == "correct"
    prediction = {"question_title": "total-distance-traveled", "question_content": "A truck has two fuel tanks ...",
                  "question_id": "2857", "test_id": 0, "function_name": "distanceTraveled",
                  "starter_code": "class Solution:\n    def distanceTraveled(self, mainTank: int, additionalTank: int) -> int:\n        ",
                  "test": json.dumps([{"input": "5\n10", "output": "60", "testtype": "functional"}])}  # fmt: skip
    problem, _ = validate_row(dict(prediction), 0)
    assert problem["domain"] == "execution" and "assert distanceTraveled(5, 10) == ??" in problem["problem"]
    assert _verdict(dict(prediction), "```python\nassert distanceTraveled(5, 10) == 60\n```")[0] == "correct"
    assert _verdict(dict(prediction), "assert distanceTraveled(mainTank=5, additionalTank=10) == 60")[0] == "correct"
    assert _verdict(dict(prediction), "```python\nassert distanceTraveled(5, 10) == 50\n```")[0] == "incorrect"


def test_an_eleventh_blind_sets_layouts():
    """RACE's article, CosmosQA, DREAM's dialogue, Belebele, MultiRC, ReCoRD, WiC, WSC, PAWS-X, ANLI
    (three ways, OpenCompass's order), Global-MMLU, KMMLU's one-based key, Arabic letters."""
    race = {"example_id": "high1.txt", "article": "Tom's bike was stolen on Monday.", "question": "When was it stolen?",
            "options": ["Sunday", "Monday", "Friday", "Today"], "answer": "B"}  # fmt: skip
    problem, _ = validate_row(dict(race), 0)
    assert problem["problem"].startswith("Tom's bike") and problem["id"] == "high1.txt"  # the article, not the question alone
    assert _verdict(dict(race), "Answer: B")[0] == "correct"
    cosmos = {"id": "3Q9", "context": "I missed the bus.", "question": "Why was I late?",
              "answer0": "I overslept.", "answer1": "I missed the bus.", "answer2": "Rain.", "answer3": "None.", "label": 1}  # fmt: skip
    assert _verdict(dict(cosmos), "Answer: B")[0] == "correct" and _verdict(dict(cosmos, label=-1), "B")[0] == "unverified"
    dream = {"id": 112, "dialogue_id": "4-199", "dialogue": ["W: When is the next bus?", "M: Take the subway."],
             "question": "What will the woman do?", "choice": ["Wait.", "Take the subway.", "Walk."], "answer": "Take the subway."}  # fmt: skip
    problem, _ = validate_row(dict(dream), 0)
    assert "M: Take the subway." in problem["problem"] and problem["answer"] == "B"
    bele = {"link": "x", "question_number": 1, "flores_passage": "Le chat dort.", "question": "Que fait le chat ?",
            "mc_answer1": "Il mange", "mc_answer2": "Il dort", "mc_answer3": "Il court", "mc_answer4": "Il joue",
            "correct_answer_num": "2", "dialect": "fra_Latn", "ds": "2023-05-03"}  # fmt: skip
    assert _verdict(dict(bele), "Réponse : B")[0] == "correct"
    multirc = {"paragraph": "Sarah saved for a bike; her father gave ten dollars.", "question": "What did the father give?",
               "answer": "Ten dollars", "idx": {"paragraph": 7, "question": 31, "answer": 140}, "label": 1}  # fmt: skip
    problem, _ = validate_row(dict(multirc), 0)
    assert problem["id"] == "7-31-140" and problem["answer"] == "A"
    record = {"passage": "Chelsea lost to Burnley.\n@highlight\nMourinho unhappy", "query": "@placeholder are five points behind.",
              "entities": ["Chelsea", "Burnley"], "answers": ["Chelsea"], "idx": {"passage": 0, "query": 1}}  # fmt: skip
    problem, _ = validate_row(dict(record), 0)
    assert "____ are five points behind." in problem["problem"] and _verdict(dict(record), "Chelsea")[0] == "correct"
    wic = {"word": "place", "sentence1": "Come to my place.", "sentence2": "No place for them.", "start1": 11,
           "start2": 3, "end1": 16, "end2": 8, "idx": 0, "label": 0}  # fmt: skip
    assert validate_row(dict(wic), 0)[0]["answer"] == "B" and _verdict(dict(wic), "B")[0] == "correct"
    wsc = {"text": "Mark told Pete lies. He should have been truthful.", "span1_index": 0, "span2_index": 5,
           "span1_text": "Mark", "span2_text": "He", "idx": 0, "label": 1}  # fmt: skip
    assert "pronoun 'He' refer to 'Mark'" in validate_row(dict(wsc), 0)[0]["problem"] and _verdict(dict(wsc), "A")[0] == "correct"
    paws = {"id": 5, "sentence1": "The cat sat.", "sentence2": "The cat was sitting.", "label": 1}
    assert _verdict(dict(paws), "Answer: A")[0] == "correct" and _verdict(dict(paws, label=0), "Answer: A")[0] == "incorrect"
    anli = {"uid": "a8f1", "premise": "The film was finished after Welles died.", "hypothesis": "Welles watched it.",
            "label": 2, "reason": "He was dead."}  # fmt: skip
    problem, _ = validate_row(dict(anli), 0)
    assert problem["choices"] == ["Contradiction", "Entailment", "Neutral"] and problem["answer"] == "A"
    assert _verdict(dict(anli), "**A. Contradiction**")[0] == "correct"
    gm = {"sample_id": "chem/87", "subject": "chemistry", "question": "Welches Element ist am elektronegativsten?",
          "option_a": "Sauerstoff", "option_b": "Chlor", "option_c": "Fluor", "option_d": "Stickstoff", "answer": "C"}  # fmt: skip
    assert _verdict(dict(gm), "Fluor.\n\nAntwort: C")[0] == "correct"
    assert _verdict(dict(gm, answer="B"), "الماء.\n\nالإجابة: ب")[0] == "correct"  # an Arabic letter
    kmmlu = {"question": "유동자산이 아닌 것은?", "answer": 4, "A": "현금", "B": "매출채권", "C": "재고자산", "D": "건물",
             "Category": "Accounting", "Human Accuracy": 0.71}  # fmt: skip
    assert validate_row(dict(kmmlu), 0)[0]["answer"] == "D" and _verdict(dict(kmmlu), "D")[0] == "correct"


def test_a_twelfth_blind_sets_tables_filings_and_cases():
    """WikiTableQuestions (its table, its values as a set), TabFact, FinQA (1e-3, a percent read as
    a hundredth, "$579 million" for 579), TAT-QA (scale, exact), HeadQA, CaseHOLD, QuALITY,
    NarrativeQA, LegalBench, ScienceQA's hint."""
    wtq = {"id": "nu-58", "question": "who placed first and second?", "answers": ["Esther", "Shaul"],
           "table": {"header": ["Name", "Placing"], "rows": [["Shaul", "2"], ["Esther", "1"]], "name": "csv/1.csv"}}  # fmt: skip
    problem, _ = validate_row(dict(wtq), 0)
    assert problem["problem"].startswith("Name | Placing\nShaul | 2") and problem["id"] == "nu-58"
    assert _verdict(dict(wtq), "Answer: Shaul and Esther")[0] == "correct"  # any order
    assert _verdict(dict(wtq), "Answer: Esther")[0] == "incorrect"
    assert _verdict(dict(wtq, answers=["Esther"]), "Answer: Esther (1st)")[0] == "correct"  # its evaluator's gloss
    tabfact = {"id": 0, "table_id": "2-1.csv", "table_text": "tournament#wins\nmasters#0\n", "table_caption": "tony lema",
               "statement": "tony lema won the masters", "label": 0}  # fmt: skip
    assert "masters | 0" in validate_row(dict(tabfact), 0)[0]["problem"]
    assert _verdict(dict(tabfact), "Answer: REFUTED")[0] == "correct" and _verdict(dict(tabfact), "Answer: entailed")[0] == "incorrect"
    finqa = {"id": "RLW/2016/page_27.pdf-1", "pre_text": ["operating revenues"], "post_text": ["freight fell"],
             "table": [["", "2016", "2015"], ["total", "$19941", "$21813"]], "filename": "RLW/2016/page_27.pdf",
             "qa": {"question": "what was the percent change?", "program": "subtract(19941, 21813), divide(#0, 21813)",
                    "exe_ans": -0.08582}}  # fmt: skip
    problem, _ = validate_row(dict(finqa), 0)
    assert "total | $19941 | $21813" in problem["problem"]
    assert _verdict(dict(finqa), "The answer is -8.58%.")[0] == "correct"
    assert _verdict(dict(finqa), "The answer is -8.7%.")[0] == "incorrect"
    millions = dict(finqa, pre_text=["net revenues ( in millions )"], qa={"question": "what was the change?",
                                                                            "exe_ans": 579.0})  # fmt: skip
    assert _verdict(millions, "**The answer is $579 million.**")[0] == "correct"  # the table's own scale
    assert _verdict(dict(millions, pre_text=["net revenues"]), "The answer is $579 million.")[0] == "incorrect"
    tatqa = {"table": {"uid": "e7", "table": [["", "2019", "2018"], ["Prepaid", "$2,303", "$1,780"]]},
             "paragraphs": [{"uid": "p2", "order": 2, "text": "(in thousands)"}],
             "questions": [{"uid": "q", "order": 4, "question": "What is the change?", "answer": 523,
                            "answer_type": "arithmetic", "scale": "thousand"}]}  # fmt: skip
    assert _verdict(dict(tatqa), "Answer: 523 thousand")[0] == "correct"
    percent = dict(tatqa, questions=[{"order": 1, "question": "Growth?", "answer": 5.09, "answer_type": "arithmetic",
                                      "scale": "percent"}])  # fmt: skip
    assert _verdict(percent, "Answer: 5.09%")[0] == "correct" and _verdict(percent, "Answer: 5.1%")[0] == "incorrect"
    headqa = {"name": "Cuaderno_2016", "qid": 112, "qtext": "Which is a direct thrombin inhibitor?", "ra": 2,
              "answers": [{"aid": 1, "atext": "Rivaroxaban."}, {"aid": 2, "atext": "Dabigatran."}]}  # fmt: skip
    assert _verdict(dict(headqa), "The answer is B.")[0] == "correct"
    casehold = {"context": "See State v. Mendez (<HOLDING>).", "endings": ["holding a", "holding b", "holding c",
                "holding d", "holding e"], "label": 1}  # fmt: skip
    assert _verdict(dict(casehold), "The answer is B.")[0] == "correct"
    quality = {"article_id": "9", "question_unique_id": "9_q1", "article": "Tomas stayed on the station.",
               "question": "Where did Tomas stay?", "options": ["home", "the station", "a ship", "Mars"], "gold_label": 2}  # fmt: skip
    problem, _ = validate_row(dict(quality), 0)
    assert problem["problem"].startswith("Tomas stayed") and _verdict(dict(quality), "The answer is B.")[0] == "correct"
    narrative = {"document": {"id": "84", "kind": "gutenberg", "summary": {"text": "Basil paints Dorian.", "tokens": []}},
                 "question": {"text": "Who paints Dorian?", "tokens": []}, "answers": [{"text": "Basil", "tokens": []}]}  # fmt: skip
    problem, _ = validate_row(dict(narrative), 0)
    assert problem["problem"].startswith("Basil paints") and _verdict(dict(narrative), "Basil.")[0] == "correct"
    legal = {"answer": "Yes", "index": 38, "slice": "Standard hearsay", "text": "A witness told me Henry was on his phone."}
    assert _verdict(dict(legal), "<think>hearsay</think>\nYes")[0] == "correct"
    science = {"question": "Which tense?", "choices": ["present", "future"], "answer": 1, "hint": "Mona will print.",
               "image": None, "lecture": "", "solution": ""}  # fmt: skip
    problem, _ = validate_row(dict(science), 0)
    assert problem["problem"] == "Context: Mona will print.\nWhich tense?" and problem["answer"] == "B"


def test_instruction_tuning_and_distillation_rows_state_their_reference_or_none():
    """A thirteenth blind set: chat rows (messages, ShareGPT conversations with OpenThoughts'
    solution section, AM-DeepSeek's info), MetaMathQA, MathInstruct, Alpaca, s1K, camel-ai."""
    system = "Your role as an assistant involves thoroughly exploring questions ..."
    share = {"system": system, "conversations": [
        {"from": "user", "value": "What is the smallest n with n^2+n+41 composite?"},
        {"from": "assistant", "value": "<|begin_of_thought|>\nTry n = 40 ... \\boxed{41}?\n<|end_of_thought|>\n\n"
                                       "<|begin_of_solution|>\nHence $\\boxed{40}$.\n<|end_of_solution|>"}]}  # fmt: skip
    problem, _ = validate_row(dict(share), 0)
    assert problem["problem"].startswith("What is the smallest") and problem["answer"] == "40"  # its solution's box
    assert _verdict(dict(share), "<think>...</think>\n\\boxed{40}")[0] == "correct"
    gpt = {"conversations": [{"from": "human", "value": "2+2?"}, {"from": "gpt", "value": "It is 4, so $\\boxed{4}$."}]}
    assert validate_row(gpt, 0)[0]["answer"] == "4"
    only = {"messages": [{"role": "user", "content": "Solve sqrt(x+7) = 9."},
                         {"role": "assistant", "content": "So x = 74.\n\nThe answer is $\\boxed{74}$."}]}  # fmt: skip
    assert _verdict(dict(only), "x = 74, so \\boxed{74}")[0] == "correct"
    chat = {"messages": [{"role": "user", "content": "How can I stay focused?"},
                         {"role": "assistant", "content": "<answer>Keep a schedule; take breaks.</answer>"}]}  # fmt: skip
    assert validate_row(chat, 0)[0]["answer"] is None  # a free-form answer is no reference
    am = {"messages": [{"role": "user", "content": "Print the sum of n integers.", "info": {
        "source": "codeforces_cots", "reference_answer": None,
        "test_case": json.dumps({"inputs": ["3\n1 2 3\n"], "outputs": ["6\n"]})}},
        {"role": "assistant", "content": "<think>sum</think><answer>...</answer>", "info": {}}]}  # fmt: skip
    assert validate_row(am, 0)[0]["domain"] == "code"
    metamath = {"type": "GSM_AnsAug", "query": "Natalia sold 48 clips and half as many more. How many?",
                "original_question": "...", "response": "48 + 24 = 72\n#### 72\nThe answer is: 72"}  # fmt: skip
    assert validate_row(metamath, 0)[0]["answer"] == "72" and _verdict(metamath, "\\boxed{72}")[0] == "correct"
    mi = {"source": "data/CoT/aqua_rat.json", "instruction": "Train length?\nAnswer Choices: (A) 120 m (B) 150 m",
          "output": "Length = 150 m.\nThe answer is B"}  # fmt: skip
    assert validate_row(mi, 0)[0]["answer"] == "B"
    pot = dict(mi, source="data/PoT/gsm_gpt4.json", output="print(210)")
    assert validate_row(pot, 0)[0]["answer"] is None  # a program, no stated answer (not run while reading)
    alpaca = {"instruction": "Compute the product of the given numbers.", "input": "3, 8, 5", "output": "120"}
    problem, _ = validate_row(dict(alpaca), 0)
    assert problem["problem"] == "Compute the product of the given numbers.\n\n3, 8, 5" and problem["answer"] == "120"
    code = {"instruction": "Write is_prime.", "input": "", "output": "def is_prime(n):\n    return n > 1"}
    assert validate_row(code, 0)[0]["answer"] is None
    s1k = {"question": "Seat hidden in pitch air (5)", "solution": "### Answer: CHAIR\n### Explanation: hidden",
           "cot_type": "crossword", "source_type": "xword1"}  # fmt: skip
    assert validate_row(dict(s1k), 0)[0]["domain"] == "exact" and _verdict(dict(s1k), "Answer: POT")[0] == "incorrect"
    camel = {"role_1": "Mathematician", "topic;": "Algebra", "sub_topic": "Linear", "message_1": "Solve 2x + 5 = 17",
             "message_2": "Subtract 5 and divide: x = 6."}  # fmt: skip
    problem, _ = validate_row(dict(camel), 0)
    assert problem["problem"] == "Solve 2x + 5 = 17" and problem["answer"] is None


def test_edge_rows_a_review_found():
    """An empty answer list is no reference (not "the passage holds none"); truth values written as
    text; a problem/answer file with a `messages` column keeps its answer; 5万 is no counted 5."""
    from k2batch import formats
    from k2batch.verify.mathunits import split_unit

    hotpot = {"id": "h", "question": "Who?", "answer": "", "type": "bridge", "level": "easy",
              "supporting_facts": {}, "context": {}}  # fmt: skip
    assert validate_row(hotpot, 0)[0]["answer"] is None
    trivia = {"question": "Q?", "question_id": "t1", "answer": {"aliases": [], "value": "<unk>", "normalized_aliases": []}}
    assert json.loads(validate_row(trivia, 0)[0]["answer"]) == ["<unk>"]  # its value is an alias too
    kk = {"quiz": "Two inhabitants.", "names": ["A", "B"], "solution": ["False", "True"]}
    assert json.loads(validate_row(kk, 0)[0]["answer"]) == {"A": "knave", "B": "knight"}
    multirc = {"paragraph": "p", "question": "q", "answer": "a", "idx": {"p": 1}, "label": True}
    assert validate_row(multirc, 0)[0]["answer"] == "A"
    assert formats.describe(["problem", "answer", "messages"]).startswith("problem/answer")
    assert formats.describe(["id", "prompt", "messages"]).startswith("chat messages")
    assert split_unit("5万") == ("5万", None) and split_unit("70人") == ("70", None)
